"""Invented demo data: a small world of cases, officials and actions.

Everyone and everything here is made up (names, addresses, numbers in reserved ranges,
example.org addresses). The same data serves `make run` and the page tests.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from urgent.actions.models import Action
from urgent.cases.models import Ask, Case, CaseTarget, Outcome, PersonAtRisk, Theme, Update
from urgent.cases.themes import theme_name
from urgent.core.models import Organisation
from urgent.officials.models import ContactPoint, Official
from urgent.officials.numbers import contact_dial

# key -> (honorific, name, title, organisation, country, language, salutation, contact points)
OFFICIALS: dict[str, tuple[str, str, str, str, str, str, str, list[tuple[str, str, str]]]] = {
    "tm-president": (
        "",
        "Oraz Baymuradov",
        "President of Turkmenistan",
        "Permanent Mission of Turkmenistan to the United Nations",
        "TM",
        "en",
        "Dear President,",
        [
            (
                "postal",
                "Permanent Mission of Turkmenistan to the United Nations\n"
                "100 Example Plaza, Suite 500\nNew York, NY 10017\nUSA",
                "",
            ),
            ("fax", "+1 212 555 0142", ""),
            ("email", "mission.tm@example.org", ""),
        ],
    ),
    "tm-ambassador": (
        "His Excellency",
        "Serdar ANNAYEV",
        "Ambassador of Turkmenistan",
        "Embassy of Turkmenistan",
        "TM",
        "en",
        "Your Excellency,",
        [
            (
                "postal",
                "Embassy of Turkmenistan\n2000 Example Avenue NW\nWashington, DC 20008\nUSA",
                "",
            ),
            ("phone", "+1 202 555 0150", ""),
            ("fax", "+1 202 555 0151", ""),
            ("email", "embassy.tm@example.org", ""),
        ],
    ),
    "by-prosecutor": (
        "",
        "Viktar Lasko",
        "Prosecutor General",
        "Prosecutor General's Office",
        "BY",
        "ru",
        "Dear Prosecutor General,",
        [
            ("postal", "Prosecutor General's Office\nul. Primernaya 22\n220030 Minsk\nBelarus", ""),
            ("fax", "+375 17 555 0123", ""),
            ("email", "info@prosecutor.example.org", ""),
        ],
    ),
    "by-interior": (
        "",
        "Ales Kavalenka",
        "Minister of Internal Affairs",
        "Ministry of Internal Affairs",
        "BY",
        "ru",
        "Dear Minister,",
        [
            ("postal", "Ministry of Internal Affairs\nul. Primernaya 4\n220030 Minsk\nBelarus", ""),
            ("email", "mvd@example.org", ""),
            ("social", "@mvd_example", "X"),
        ],
    ),
    "mx-governor": (
        "Lic.",
        "Mariana Ortega Ruiz",
        "Governor of the State of Oaxaca",
        "Government of Oaxaca",
        "MX",
        "es",
        "Estimada Gobernadora:",
        [
            (
                "postal",
                "Palacio de Gobierno\nAv. Ejemplo 100, Centro\n68000 Oaxaca, Oaxaca\nMéxico",
                "",
            ),
            ("email", "gobernadora@oaxaca.example.org", ""),
            ("social", "@GobOaxacaEjemplo", "X"),
            ("phone", "+52 951 555 0199", ""),
        ],
    ),
    "mx-interior": (
        "",
        "Jorge Salinas Vega",
        "Secretary of the Interior",
        "Secretaría de Gobernación",
        "MX",
        "es",
        "Estimado Secretario:",
        [
            (
                "postal",
                "Secretaría de Gobernación\nAbraham Ejemplo 48, Col. Juárez\n"
                "06600 Ciudad de México\nMéxico",
                "",
            ),
            ("email", "secretario@gobernacion.example.org", ""),
        ],
    ),
    "ph-justice": (
        "Hon.",
        "Ramon Dizon",
        "Secretary of Justice",
        "Department of Justice",
        "PH",
        "en",
        "Dear Secretary,",
        [
            (
                "postal",
                "Department of Justice\nPadre Ejemplo Street, Ermita\n1000 Manila\nPhilippines",
                "",
            ),
            ("email", "secretary@doj.example.org", ""),
            ("fax", "+63 2 5550 1234", ""),
        ],
    ),
}


@dataclass(frozen=True)
class DemoCase:
    reference: str
    slug: str
    headline: str
    country: str
    themes: tuple[str, ...]
    people: tuple[tuple[str, str, str], ...]
    story: str
    asks: tuple[str, ...]
    targets: tuple[tuple[str, str], ...]
    background: str
    issued_days_ago: int
    deadline_in_days: int | None
    status: str = Case.Status.ACTIVE
    language: str = "en"
    actions: int = 0
    updates: tuple[tuple[str, str], ...] = ()
    outcome: str = ""


CASES: tuple[DemoCase, ...] = (
    DemoCase(
        reference="UA 101/26",
        slug="ua-101-26",
        headline="Opposition activist at risk of torture",
        country="TM",
        themes=("enforced-disappearance", "torture", "human-rights-defenders"),
        people=(("Daniyar Orazmyradov", "he/him", "public"),),
        story=(
            "Daniyar Orazmyradov, a labour migrant abroad, has criticised his government online "
            "since 2022. On 3 October he told a friend that he feared police were about to "
            "arrest him. Since then, nobody has heard from him.\n\n"
            "On 20 October the authorities of the country where he lived replied to an inquiry "
            "that he had left the country. He could not have left by his own means: his travel "
            "documents had been stolen months before. His family at home has received repeated "
            "threats from security officers."
        ),
        asks=(
            "Disclose at once the fate and whereabouts of Daniyar Orazmyradov.",
            "If he is in custody, protect him from torture and other ill-treatment and give "
            "him access to his family, a lawyer of his choice and any medical care he needs.",
            "Release him immediately unless there is credible evidence that he committed an "
            "internationally recognised offence.",
        ),
        targets=(("tm-president", "primary"), ("tm-ambassador", "copy")),
        background=(
            "The movement Daniyar belongs to posts videos about social problems in the country "
            "and asks the authorities to respond to people's needs. Relatives of its members "
            "have been questioned and had their phones seized."
        ),
        issued_days_ago=6,
        deadline_in_days=38,
        actions=42,
    ),
    DemoCase(
        reference="UA 87/26",
        slug="ua-87-26",
        headline="Student journalist jailed for a blog post",
        country="BY",
        themes=("prisoner-of-conscience", "freedom-of-expression"),
        people=(("Hanna Marozava", "she/her", "public"),),
        story=(
            "Hanna Marozava, a 21-year-old journalism student, was sentenced on 14 September to "
            'three years in a penal colony for "insulting an official" after she wrote a blog '
            "post about a protest. She is a prisoner of conscience, held solely for peacefully "
            "exercising her right to freedom of expression."
        ),
        asks=(
            "Release Hanna Marozava immediately and unconditionally.",
            "Pending her release, ensure she has regular access to her family and lawyer.",
        ),
        targets=(("by-prosecutor", "primary"), ("by-interior", "copy")),
        background="Since 2020, hundreds of people have been jailed for what they wrote online.",
        issued_days_ago=30,
        deadline_in_days=12,
        actions=118,
        updates=(
            (
                "Further information on UA 87/26: student journalist moved to penal colony",
                "Hanna Marozava was transferred on 2 November to a penal colony 300 km from her "
                "family. Her lawyer has not been allowed to see her since. Please keep writing.",
            ),
        ),
    ),
    DemoCase(
        reference="UA 95/26",
        slug="ua-95-26",
        headline="Defensora indígena amenazada de muerte",
        country="MX",
        themes=("human-rights-defenders",),
        people=(
            ("Rosa Santiago López", "she/her", "public"),
            ("Tomás Reyes", "he/him", "initials"),
        ),
        story=(
            "Rosa Santiago López, defensora del territorio de su comunidad, recibió el 2 de "
            "noviembre mensajes con amenazas de muerte tras denunciar una mina ilegal. Un "
            "compañero de la organización también fue amenazado."
        ),
        asks=(
            "Garantizar medidas de protección eficaces para Rosa Santiago López y su comunidad, "
            "acordadas con ellas.",
            "Investigar las amenazas de manera pronta, exhaustiva e imparcial.",
        ),
        targets=(("mx-governor", "primary"), ("mx-interior", "primary")),
        background="",
        issued_days_ago=12,
        deadline_in_days=25,
        language="es",
        actions=9,
    ),
    DemoCase(
        reference="UA 64/26",
        slug="ua-64-26",
        headline="Teenager facing execution after unfair trial",
        country="PH",
        themes=("death-penalty", "fair-trial"),
        people=(("Jun", "he/him", "hidden"),),
        story=(
            "A 17-year-old, whose name is withheld for his family's safety, was sentenced to death "
            'after a trial in which his "confession", made without a lawyer, was the main '
            "evidence. His appeal will be heard within weeks."
        ),
        asks=(
            "Quash the death sentence and grant a fair retrial without recourse to the death "
            "penalty.",
            "Investigate his allegations that he was beaten into confessing.",
        ),
        targets=(("ph-justice", "primary"), ("by-interior", "copy")),
        background="International law forbids the death penalty for crimes committed by children.",
        issued_days_ago=60,
        deadline_in_days=-3,
        actions=5,
    ),
    DemoCase(
        reference="UA 12/26",
        slug="ua-12-26",
        headline="Released: trade unionist is home with his family",
        country="TM",
        themes=("prisoner-of-conscience",),
        people=(("Merdan Gurbanov", "he/him", "public"),),
        story="Merdan Gurbanov was detained after organising a strike for unpaid wages.",
        asks=("Release Merdan Gurbanov immediately and unconditionally.",),
        targets=(("tm-president", "primary"), ("tm-ambassador", "copy")),
        background="",
        issued_days_ago=200,
        deadline_in_days=-150,
        status=Case.Status.CLOSED,
        actions=230,
        updates=(
            (
                "Further information on UA 12/26: trade unionist released",
                "Merdan Gurbanov was released on 1 June. He thanks everyone who wrote. "
                "No further action is requested.",
            ),
        ),
        outcome=Outcome.Kind.RELEASED,
    ),
    DemoCase(
        reference="UA 110/26",
        slug="ua-110-26",
        headline="Draft: lawyer detained incommunicado",
        country="BY",
        themes=("fair-trial",),
        people=(("Pavel Sidarenka", "he/him", "public"),),
        story="Being written.",
        asks=("Reveal where Pavel Sidarenka is held.",),
        targets=(("by-prosecutor", "primary"),),
        background="",
        issued_days_ago=0,
        deadline_in_days=40,
        status=Case.Status.DRAFT,
    ),
)

CHANNELS = [c.value for c in Action.Channel]


def _officials_load(org: Organisation) -> dict[str, Official]:
    officials: dict[str, Official] = {}
    for key, (
        honorific,
        name,
        title,
        organisation,
        country,
        lang,
        salut,
        points,
    ) in OFFICIALS.items():
        official, made = Official.objects.get_or_create(
            name=name,
            title=title,
            defaults={
                "honorific": honorific,
                "organisation": organisation,
                "country": country,
                "preferred_language": lang,
                "salutation": salut,
                "origin_org": org.name,
            },
        )
        if made:
            for position, (kind, value, label) in enumerate(points):
                ContactPoint.objects.create(
                    official=official,
                    kind=kind,
                    value=value,
                    dial=contact_dial(kind=kind, value=value, country=country),
                    label=label,
                    position=position,
                    last_confirmed_on=timezone.localdate() - datetime.timedelta(days=30),
                )
        officials[key] = official
    return officials


def _case_create(demo: DemoCase, org: Organisation, today: datetime.date) -> Case:
    deadline = None
    if demo.deadline_in_days is not None:
        deadline = today + datetime.timedelta(days=demo.deadline_in_days)
    published = None
    if demo.status != Case.Status.DRAFT:
        published = timezone.now() - datetime.timedelta(days=demo.issued_days_ago)
    return Case.objects.create(
        organisation=org,
        reference=demo.reference,
        slug=demo.slug,
        headline=demo.headline,
        country=demo.country,
        story=demo.story,
        background=demo.background,
        status=demo.status,
        issued_on=today - datetime.timedelta(days=demo.issued_days_ago),
        deadline=deadline,
        language=demo.language,
        published_at=published,
        origin_org=org.name,
    )


def _case_fill(
    case: Case, demo: DemoCase, themes: dict[str, Theme], officials: dict[str, Official]
) -> None:
    """People, asks, targets, updates (with the outcome) and a few self-reported actions."""
    case.themes.set([themes[slug] for slug in demo.themes])
    for position, (name, pronouns, visibility) in enumerate(demo.people):
        PersonAtRisk.objects.create(
            case=case, name=name, pronouns=pronouns, visibility=visibility, position=position
        )
    Ask.objects.bulk_create(
        Ask(case=case, text=text, position=position) for position, text in enumerate(demo.asks)
    )
    for position, (key, role) in enumerate(demo.targets):
        CaseTarget.objects.create(case=case, official=officials[key], role=role, position=position)
    for number, (title, body) in enumerate(demo.updates, start=1):
        update = Update.objects.create(
            case=case,
            number=number,
            title=title,
            body=body,
            issued_on=(case.issued_on or timezone.localdate())
            + datetime.timedelta(days=14 * number),
            published_at=timezone.now(),
        )
        if demo.outcome:
            Outcome.objects.create(
                case=case, kind=demo.outcome, occurred_on=update.issued_on, update=update
            )
    # Self-reported actions without a supporter, so counts on the pages are not zero.
    Action.objects.bulk_create(
        Action(case=case, channel=CHANNELS[i % len(CHANNELS)], confirmed=False)
        for i in range(demo.actions)
    )


@transaction.atomic
def demo_load() -> list[str]:
    """Create the demo world; safe to run again (what exists is left alone).

    Rows are written directly, not through the lifecycle services: the demo world is a
    state to show, not a history, so it sends no alerts and records no events.
    """
    org, _ = Organisation.objects.get_or_create(
        slug="demo",
        defaults={
            "name": "Urgent Demo Network",
            "website": "https://example.org",
            "update_request_email": "updates@example.org",
        },
    )
    # Named by the one theme table (urgent.cases.themes).
    slugs = sorted({slug for demo in CASES for slug in demo.themes})
    themes = {
        slug: Theme.objects.get_or_create(slug=slug, defaults={"name": theme_name(slug)})[0]
        for slug in slugs
    }
    officials = _officials_load(org)
    today = timezone.localdate()
    created: list[str] = []
    for demo in CASES:
        if Case.objects.filter(organisation=org, reference=demo.reference).exists():
            continue
        case = _case_create(demo, org, today)
        _case_fill(case, demo, themes, officials)
        created.append(demo.reference)
    return created


def staff_login_ensure(*, username: str = "staff") -> tuple[str, str | None]:
    """Create the demo staff account once; its password is kept readable only by its owner."""
    path = Path(settings.DATA_DIR) / "staff-login.txt"
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        password = path.read_text().strip() if path.exists() else None
        return username, password
    password = secrets.token_urlsafe(12)
    user_model.objects.create_superuser(
        username=username, email="staff@example.org", password=password
    )
    path.write_text(password + "\n")
    path.chmod(0o600)
    return username, password
