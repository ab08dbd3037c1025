from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from urgent.cases.models import Case, CaseTarget, PersonAtRisk, Update
from urgent.core.models import Organisation
from urgent.officials.models import ContactPoint, Official

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> Organisation:
    return Organisation.objects.create(name="Test Network", slug="test")


def make_case(org: Organisation, reference: str, slug: str) -> Case:
    return Case.objects.create(
        organisation=org, reference=reference, slug=slug, headline="H", country="TM"
    )


def test_reference_is_unique_per_organisation_ignoring_case(org: Organisation) -> None:
    make_case(org, "UA 1/26", "ua-1-26")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_case(org, "ua 1/26", "ua-1-26-b")
    other = Organisation.objects.create(name="Other", slug="other")
    make_case(other, "UA 1/26", "other-ua-1-26")


def test_update_numbers_are_unique_and_positive(org: Organisation) -> None:
    case = make_case(org, "UA 2/26", "ua-2-26")
    day = datetime.date(2026, 1, 1)
    Update.objects.create(case=case, number=1, title="FI 1", body="x", issued_on=day)
    with pytest.raises(IntegrityError), transaction.atomic():
        Update.objects.create(case=case, number=1, title="again", body="x", issued_on=day)
    with pytest.raises(IntegrityError), transaction.atomic():
        Update.objects.create(case=case, number=0, title="zero", body="x", issued_on=day)


def test_official_is_on_a_case_once_and_status_is_checked(org: Organisation) -> None:
    case = make_case(org, "UA 3/26", "ua-3-26")
    official = Official.objects.create(title="Minister of Justice", country="TM")
    CaseTarget.objects.create(case=case, official=official)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseTarget.objects.create(case=case, official=official, role="copy")
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(status="published")


def test_official_needs_a_name_or_title_and_contact_points_are_unique() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Official.objects.create(country="TM")
    official = Official.objects.create(name="A. Person")
    ContactPoint.objects.create(official=official, kind="email", value="a@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactPoint.objects.create(official=official, kind="email", value="a@example.org")


def test_public_name_by_visibility(org: Organisation) -> None:
    case = make_case(org, "UA 4/26", "ua-4-26")
    person = PersonAtRisk(case=case, name="Ana María de la Cruz", visibility="initials")
    assert person.public_name == "A. M. C."
    person.visibility = "hidden"
    assert person.public_name == ""
    person.visibility = "public"
    assert person.public_name == "Ana María de la Cruz"
