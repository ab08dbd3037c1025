"""Phone and fax numbers: stored to dial (E.164) next to the printed form, linked only when read."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from tests.ingest.conftest import SAMPLES
from urgent.cases import services as case_services
from urgent.cases.models import Case
from urgent.core.models import Organisation
from urgent.ingest.services import case_import
from urgent.officials.models import ContactPoint, Official
from urgent.officials.numbers import dial_number
from urgent.officials.services import (
    contact_point_add,
    contact_point_update,
    official_create,
    official_update,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("printed", "country", "dial"),
    [
        ("+1 202 555 0150", "", "+12025550150"),
        ("(202) 555-0150", "US", "+12025550150"),  # no country code: read in the country
        ("00 375 17 555 0123", "GB", "+375175550123"),  # 00 is the international prefix
        ("032 555 0177", "GE", "+995325550177"),  # the national trunk 0 is dropped
        ("the front desk", "US", ""),
        ("12", "US", ""),
        ("555 0150", "", ""),  # no country to read it in
    ],
)
def test_dial_number(printed: str, country: str, dial: str) -> None:
    assert dial_number(printed=printed, country=country) == dial


def test_services_store_the_dial_form_and_read_it_anew(db: None) -> None:
    official = official_create(
        actor=None,
        data={"name": "Ana Examplova", "country": "US"},
        contact_points=[("phone", "(202) 555-0150"), ("fax", "202 555 0151"), ("email", "a@x.org")],
    )
    dials = {p.kind: p.dial for p in official.contact_points.all()}
    assert dials == {"phone": "+12025550150", "fax": "+12025550151", "email": ""}
    phone = official.contact_points.get(kind="phone")
    contact_point_update(contact_point=phone, actor=None, value="not a number")
    assert ContactPoint.objects.get(pk=phone.pk).dial == ""
    contact_point_update(contact_point=phone, actor=None, value="0171 555 0123")
    assert ContactPoint.objects.get(pk=phone.pk).dial == ""  # not a US number
    official_update(official=official, actor=None, data={"country": "DE"})
    assert ContactPoint.objects.get(pk=phone.pk).dial == "+491715550123"
    added = contact_point_add(official=official, actor=None, kind="phone", value="x", dial="+1")
    assert added.dial == "+1"  # what an importer read is kept


def _case_with(official: Official) -> Case:
    org = Organisation.objects.create(name="Example Section", slug="example")
    case = case_services.case_create(
        organisation=org, reference="UA 7/26", headline="A case", country="US", actor=None
    )
    case_services.case_target_add(case=case, actor=None, official=official, role="primary")
    Case.objects.filter(pk=case.pk).update(status=Case.Status.ACTIVE)
    return case


def test_case_page_links_the_dial_form_and_shows_the_printed_one(
    db: None, staff_client: Any
) -> None:
    official = official_create(
        actor=None,
        data={"name": "Ana Examplova", "country": "US"},
        contact_points=[("phone", "(202) 555-0150"), ("phone", "the front desk")],
    )
    case = _case_with(official)
    page = Client().get(f"/cases/{case.slug}/").content.decode()
    assert 'href="tel:+12025550150"' in page and "(202) 555-0150" in page
    assert "the front desk" in page and 'href="tel:thefrontdesk"' not in page
    assert 'href="tel:the' not in page and 'href="tel:(' not in page
    staff = staff_client().get(f"/staff/officials/{official.pk}/").content.decode()
    assert "the front desk could not be read as a full international number" in staff
    assert "(202) 555-0150 could not be read" not in staff


def test_import_keeps_the_dial_form_the_reader_found(db: None) -> None:
    # A Canadian number printed without its "+" on a Georgian sheet: read in Georgia it is
    # nothing; the reader's dial form knows the digits start with a country code.
    text = (SAMPLES / "import_initial.txt").read_text().replace("+1 613 555 0123", "1 613 555 0123")
    org = Organisation.objects.create(name="Example Section", slug="example")
    case_import(data=text.encode(), filename="sheet.txt", organisation=org, actor=None)
    point = ContactPoint.objects.get(kind="phone", value="1 613 555 0123")
    assert point.dial == "+16135550123"
    fax = ContactPoint.objects.get(kind="fax", value="+995 32 555 0101")
    assert fax.dial == "+995325550101"


@pytest.mark.django_db(transaction=True)
def test_migration_fills_the_dial_form_of_existing_numbers() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("officials", "0001_initial")])
    old = executor.loader.project_state([("officials", "0001_initial")]).apps
    official = old.get_model("officials", "Official").objects.create(name="A", country="US")
    points = old.get_model("officials", "ContactPoint").objects
    points.create(official=official, kind="phone", value="(202) 555-0150")
    points.create(official=official, kind="fax", value="nothing to dial")
    points.create(official=official, kind="email", value="a@example.org")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    dials = dict(ContactPoint.objects.values_list("value", "dial"))
    assert dials == {"(202) 555-0150": "+12025550150", "nothing to dial": "", "a@example.org": ""}
