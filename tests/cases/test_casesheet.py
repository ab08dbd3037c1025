"""The printable case sheet: the classic layout, read back by Urgent's own importer.

The round trip is the contract: what the sheet prints, `urgent parse` (urgent.ingest)
reads back to the same record, so sections that receive sheets by mail can import them.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from urgent.cases.models import Case, CaseTarget, PersonAtRisk
from urgent.core.countries import country_name
from urgent.ingest.extract import extract_text
from urgent.ingest.parser import parse_case_sheet
from urgent.officials.models import ContactPoint

pytestmark = pytest.mark.django_db


def sheet(client: Any, slug: str) -> bytes:
    response = client.get(f"/cases/{slug}/sheet.pdf")
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{slug}.pdf"' in response["Content-Disposition"]
    return bytes(response.content)


def expected_target(target: CaseTarget) -> dict[str, Any]:
    official = target.official
    points = list(official.contact_points.exclude(health="dead"))

    def values(kind: str) -> list[str]:
        return [p.value for p in points if p.kind == kind]

    postal = values("postal")
    return {
        "role": target.role,
        "honorific": official.honorific or None,
        "name": official.name,
        "title": official.title,
        "address_lines": [line for line in postal[0].splitlines() if line.strip()]
        if postal
        else [],
        "emails": values("email"),
        "faxes": values("fax"),
        "phones": values("phone"),
        "social": values("social"),
        "salutation": target.effective_salutation or None,
    }


def expected_record(case: Case) -> dict[str, Any]:
    targets = sorted(case.targets.all(), key=lambda t: (t.role != "primary", t.position))
    return {
        "ua_number": case.reference.removeprefix("UA ").strip(),
        "title": case.headline,
        "country": country_name(case.country),
        "date_issued": case.issued_on.isoformat() if case.issued_on else None,
        "deadline": case.deadline.isoformat() if case.deadline else None,
        # Initials are not a name to a parser; the sheet prints them, the record has names.
        "persons": [p.name for p in case.people.all() if p.visibility == "public"],
        "asks": [a.text for a in case.asks.all()],
        "targets": [expected_target(t) for t in targets],
        "update_request": {
            "email": case.organisation.update_request_email,
            "subject": case.update_request,
        },
    }


@pytest.mark.parametrize("slug", ["ua-101-26", "ua-95-26", "ua-87-26"])
def test_sheet_reads_back_to_the_same_record(client: Any, demo: None, slug: str) -> None:
    data = sheet(client, slug)
    parsed = parse_case_sheet(extract_text(data, f"{slug}.pdf").text).to_json_dict()
    expected = expected_record(Case.objects.get(slug=slug))
    got = {
        **{key: parsed[key] for key in expected if key not in {"persons", "targets"}},
        "persons": [p["name"] for p in parsed["persons"]],
        "targets": [{key: t[key] for key in expected["targets"][0]} for t in parsed["targets"]],
    }
    assert got == expected
    assert parsed["kind"] == "initial"


def test_sheet_layout_as_text(client: Any, demo: None) -> None:
    reader = PdfReader(io.BytesIO(sheet(client, "ua-101-26")))
    assert reader.metadata is not None
    assert reader.metadata.title == "UA 101/26: Opposition activist at risk of torture"
    assert reader.metadata.author == "Urgent Demo Network"
    assert 1 <= len(reader.pages) <= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    order = [
        "URGENT ACTION",
        "Opposition activist at risk of torture",
        "TAKE ACTION",
        "Write to:",
        "Salutation: Dear President,",
        "And copy:",
        "Additional Information",
        "Name and pronouns: Daniyar Orazmyradov (he/him)",
        "Please take action as soon as possible until",
        "Keep me",
    ]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions), text


def test_names_follow_visibility_and_the_stop_switch(client: Any, demo: None) -> None:
    mexico = extract_text(sheet(client, "ua-95-26"), "s.pdf").text
    assert "T. R. (he/him)" in mexico and "Tomás" not in mexico
    teen = extract_text(sheet(client, "ua-64-26"), "s.pdf").text
    assert "Jun" not in teen and "Name and pronouns" not in teen
    Case.objects.filter(slug="ua-101-26").update(hide_names=True)
    hidden = extract_text(sheet(client, "ua-101-26"), "s.pdf").text
    assert "Name and pronouns" not in hidden


def test_dead_contact_points_are_left_out(client: Any, demo: None) -> None:
    ContactPoint.objects.filter(value="+1 212 555 0142").update(health="dead")
    text = extract_text(sheet(client, "ua-101-26"), "s.pdf").text
    assert "+1 212 555 0142" not in text and "mission.tm@example.org" in text


def test_unicode_text_survives(client: Any, demo: None) -> None:
    case = Case.objects.get(slug="ua-87-26")
    PersonAtRisk.objects.filter(case=case).update(name="Ганна Марозава")
    Case.objects.filter(pk=case.pk).update(headline="Студэнтка-журналістка ў турме")
    reader = PdfReader(io.BytesIO(sheet(client, "ua-87-26")))
    text = reader.pages[0].extract_text()
    assert "Студэнтка-журналістка ў турме" in text
    assert "Ганна Марозава" in "\n".join(p.extract_text() for p in reader.pages)


def test_long_case_flows_onto_more_pages(client: Any, demo: None) -> None:
    story = "\n\n".join(f"Paragraph {n}. " + "Words of the story go on. " * 40 for n in range(12))
    Case.objects.filter(slug="ua-87-26").update(story=story)
    reader = PdfReader(io.BytesIO(sheet(client, "ua-87-26")))
    assert len(reader.pages) >= 3
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Paragraph 11." in text and "Salutation: Dear Prosecutor General," in text


def test_only_published_cases_have_a_sheet(client: Any, demo: None) -> None:
    assert client.get("/cases/ua-110-26/sheet.pdf").status_code == 404  # draft
    assert client.get("/cases/nothing/sheet.pdf").status_code == 404
    assert client.post("/cases/ua-101-26/sheet.pdf").status_code == 405


def test_sheet_query_count(client: Any, demo: None, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(10):
        sheet(client, "ua-95-26")
