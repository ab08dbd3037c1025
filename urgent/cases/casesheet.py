"""The printable case sheet: one published case as a PDF in the classic urgent-action layout.

Reference row, headline, story, the asks, "Write to" with each official's address, numbers
and salutation, "And copy", background, the facts (names, reference, date, country), the
deadline and the "Keep me updated on …" line. The labels are the ones case sheets have used
for decades, so the sheet reads the way people who print and post letters expect, and
Urgent's own importer (`urgent parse`) reads it back to the same record; a test keeps the
two honest.

The PDF is drawn with the document helper letters also use (urgent.core.pdf), which
embeds a subset of a Unicode font.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import formats, translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from urgent.cases import selectors
from urgent.cases.models import Case, CaseTarget
from urgent.core.countries import country_name
from urgent.core.pdf import A4, PdfDocument
from urgent.officials.models import ContactPoint

LEFT = 18.0
RIGHT = 18.0
TOP = 16.0
BOTTOM = 18.0
ACCENT = (138, 28, 0)
BULLET = "• "
SOCIAL_NETWORKS = frozenset(
    {
        "facebook",
        "instagram",
        "tiktok",
        "telegram",
        "whatsapp",
        "bluesky",
        "linkedin",
        "youtube",
        "threads",
        "mastodon",
    }
)

# How each kind of contact point is labelled on the sheet, as case sheets write them.
CONTACT_LABELS: dict[str, str] = {
    ContactPoint.Kind.FAX: "Fax",
    ContactPoint.Kind.EMAIL: "Email",
    ContactPoint.Kind.PHONE: "Tel",
}


@dataclass(frozen=True)
class Line:
    text: str
    style: str = ""
    size: float = 10.5
    indent: float = 0.0


def _date(day: datetime.date) -> str:
    with translation.override("en"):
        return str(formats.date_format(day, "j F Y"))


def _ua_number(reference: str) -> str:
    """`UA 118/21` → `118/21`: the sheet prints its own `UA:` label."""
    ref = reference.strip()
    for prefix in ("UA:", "UA"):
        if ref.upper().startswith(prefix):
            return ref[len(prefix) :].strip()
    return ref


def _social_line(point: ContactPoint) -> str:
    """`X (Twitter): @handle`, as sheets label social accounts; the bare value otherwise."""
    label = point.label.strip()
    if label.casefold() in {"x", "twitter", "x (twitter)"}:
        return f"X (Twitter): {point.value}"
    if label.casefold() in SOCIAL_NETWORKS:
        return f"{label}: {point.value}"
    return point.value


def _target_lines(target: CaseTarget) -> list[str]:
    official = target.official
    lines: list[str] = []
    head = " ".join(p for p in (official.honorific, official.name) if p)
    if official.title and official.name:
        # "President of Turkmenistan" then the name, as sheets print office holders.
        lines.append(official.title)
        lines.append(head)
    else:
        lines.append(head or official.title)
    points = [p for p in official.contact_points.all() if p.health != ContactPoint.Health.DEAD]
    postal = [p for p in points if p.kind == ContactPoint.Kind.POSTAL]
    if postal:
        lines.extend(postal[0].lines)
    elif official.organisation:
        lines.append(official.organisation)
    for point in points:
        if point.kind in CONTACT_LABELS:
            lines.append(f"{CONTACT_LABELS[point.kind]}: {point.value}")
        elif point.kind == ContactPoint.Kind.SOCIAL:
            lines.append(_social_line(point))
    if target.effective_salutation:
        lines.append(f"Salutation: {target.effective_salutation}")
    return lines


def _paragraphs(text: str) -> list[Line | None]:
    out: list[Line | None] = []
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            out += [Line(" ".join(paragraph.split())), None]
    return out


def _action_lines(case: Case) -> list[Line | None]:
    """The asks, then whom to write to and whom to copy."""
    out: list[Line | None] = []
    if case.asks.all():
        out.append(Line("TAKE ACTION", "B", 12))
        out.append(
            Line(
                "Write a letter in your own words or using the points below, "
                "urging the authorities to:"
            )
        )
        out += [Line(BULLET + " ".join(ask.text.split()), indent=4) for ask in case.asks.all()]
        out.append(None)
    targets = list(case.targets.all())
    primary = [t for t in targets if t.role == CaseTarget.Role.PRIMARY]
    copies = [t for t in targets if t.role == CaseTarget.Role.COPY]
    for label, group in (("Write to:", primary), ("And copy:", copies)):
        if not group:
            continue
        out.append(Line(label, "B", 12))
        for target in group:
            out.extend(Line(text) for text in _target_lines(target))
            out.append(None)
    return out


def _closing_lines(case: Case, meta: list[str], update_email: str) -> list[Line | None]:
    """Names (unless hidden), the case line, the deadline, how to ask for updates, the URL."""
    out: list[Line | None] = []
    people = [] if case.hide_names else [p for p in case.people.all() if p.public_name]
    if people:
        names = ", ".join(
            f"{p.public_name} ({p.pronouns})" if p.pronouns else p.public_name for p in people
        )
        out.append(Line(f"Name and pronouns: {names}", "B"))
    out.append(Line("   ".join(meta), "B"))
    if case.deadline:
        out.append(
            Line(f"Please take action as soon as possible until {_date(case.deadline)}.", "B")
        )
    if update_email:
        out.append(None)
        out.append(
            Line(
                f"If you want updates on this case, send your request to {update_email} "
                f"with “{case.update_request}” in the subject line."
            )
        )
    url = settings.URGENT_BASE_URL.rstrip("/") + reverse("case_detail", args=[case.slug])
    out += [None, Line(f"Take action online: {url}", "", 9)]
    return out


def casesheet_lines(case: Case, *, update_email: str = "") -> list[Line | None]:
    """The sheet as lines of text (None is a paragraph break), from a loaded case."""
    meta = [f"UA: {_ua_number(case.reference)}"]
    if case.index_number:
        meta.append(f"Index: {case.index_number}")
    meta.append(country_name(case.country))
    if case.issued_on:
        meta.append(f"Date: {_date(case.issued_on)}")
    out: list[Line | None] = [Line("URGENT ACTION", "B", 20), Line("   ".join(meta), "", 9), None]
    out += [Line(case.headline, "B", 16), None]
    out += _paragraphs(case.story)
    out += _action_lines(case)
    if case.background.strip():
        out.append(Line("Additional Information", "B", 12))
        out += _paragraphs(case.background)
    out += _closing_lines(case, meta, update_email)
    return out


class _Sheet:
    def __init__(self) -> None:
        self.doc = PdfDocument(A4)
        self.pdf = self.doc.pdf
        self.width = A4.width - LEFT - RIGHT
        self.y = TOP

    def page(self) -> None:
        self.pdf.add_page()
        self.y = TOP + 4

    def lines(self, items: Iterable[Line | None]) -> None:
        self.page()
        for item in items:
            if item is None:
                self.y += 3.2
                continue
            self.doc.font(item.style, item.size)
            leading = item.size * 0.48
            if item.text == "URGENT ACTION":
                self._banner(item)
                continue
            text, hang = item.text, 0.0
            if text.startswith(BULLET):
                # Wrapped lines of a bullet point start under its text, not under the bullet.
                text, hang = text[len(BULLET) :], self.doc.width(BULLET)
            for n, line in enumerate(self.doc.wrap(text, self.width - item.indent - hang)):
                if self.y + leading > A4.height - BOTTOM:
                    self.page()
                    self.doc.font(item.style, item.size)
                self.y += leading
                if hang and n == 0:
                    self.pdf.text(LEFT + item.indent, self.y, self.doc.text(BULLET))
                self.pdf.text(LEFT + item.indent + hang, self.y, self.doc.text(line))

    def _banner(self, item: Line) -> None:
        self.pdf.set_fill_color(*ACCENT)
        self.pdf.rect(LEFT, self.y, self.width, 12, style="F")
        self.pdf.set_text_color(255, 255, 255)
        self.pdf.text(LEFT + 4, self.y + 8.6, self.doc.text(item.text))
        self.pdf.set_text_color(0, 0, 0)
        self.y += 15


def casesheet_pdf(case: Case, *, update_email: str = "") -> bytes:
    """The printable case sheet of a case loaded with `case_get_public` (no queries here)."""
    sheet = _Sheet()
    sheet.pdf.set_title(f"{case.reference}: {case.headline}")
    sheet.pdf.set_author(case.organisation.name)
    sheet.pdf.set_subject("Urgent action")
    sheet.pdf.set_lang(case.language or "en")
    sheet.lines(casesheet_lines(case, update_email=update_email))
    return bytes(sheet.pdf.output())


def casesheet_filename(case: Case) -> str:
    return f"{case.slug}.pdf"


@require_GET
@cache_control(public=True, max_age=300)
def casesheet_view(request: HttpRequest, slug: str) -> HttpResponse:
    """`/cases/<slug>/sheet.pdf`: the printable sheet of a published case."""
    case = selectors.case_get_public(slug=slug)
    if case is None:
        raise Http404("No published case has this reference.")
    body = casesheet_pdf(case, update_email=case.organisation.update_request_email)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{casesheet_filename(case)}"'
    return response


__all__: Sequence[str] = [
    "casesheet_filename",
    "casesheet_lines",
    "casesheet_pdf",
    "casesheet_view",
]
