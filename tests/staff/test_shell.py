"""The workspace's shell: a menu grouped by task on every staff page, one date format."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from lxml import html as lxml_html

from urgent.core.audit import audit_record
from urgent.officials.models import Official

pytestmark = pytest.mark.django_db

GROUPS = ["Cases", "Supporters & mail", "Officials", "Reports", "Settings"]


def menu(html: str) -> Any:
    tree = lxml_html.fromstring(html)
    (nav,) = tree.xpath('//nav[@aria-label="Staff menu"]')
    return nav


def test_menu_is_grouped_by_task_and_opens_without_javascript(
    staff_client: Callable[..., Any], demo: None
) -> None:
    nav = menu(staff_client("coordinator").get("/staff/cases/").content.decode())
    # A disclosure: on a phone it opens with a tap, no script needed.
    assert nav.xpath("./details/summary")
    labels = [p.text_content().strip() for p in nav.xpath('.//p[@class="staff-menu-label"]')]
    assert labels == GROUPS
    current = nav.xpath('.//a[@aria-current="page"]')
    assert [a.text_content() for a in current] == ["All cases"]
    summary = nav.xpath("./details/summary")[0].text_content()
    assert "Cases" in summary  # where you are, even with the menu closed


def test_menu_shows_only_what_the_role_may_use(
    staff_client: Callable[..., Any], demo: None
) -> None:
    nav = menu(staff_client("viewer").get("/staff/").content.decode())
    links = {a.text_content().strip() for a in nav.xpath(".//a")}
    assert {"Dashboard", "All cases", "Mailings", "Outgoing mail", "Impact"} <= links
    assert not links & {"New case", "New case from a document", "Audit log", "Themes"}


@pytest.mark.parametrize(
    "path",
    [
        "/staff/mail/",
        "/staff/actions/",
        "/staff/mailings/",
        "/staff/impact/",
        "/staff/import/",
        "/staff/officials/",
        "/staff/audit/",
    ],
)
def test_every_area_keeps_the_menu(path: str, staff_client: Callable[..., Any], demo: None) -> None:
    response = staff_client("coordinator").get(path)
    assert response.status_code == 200
    assert menu(response.content.decode()) is not None


ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def visible_text(html: str) -> str:
    tree = lxml_html.fromstring(html)
    for node in tree.xpath("//script|//style"):
        node.drop_tree()
    return tree.text_content()


def test_dates_read_the_same_everywhere_in_the_workspace(
    staff_client: Callable[..., Any], demo: None
) -> None:
    client = staff_client("coordinator")
    official = Official.objects.order_by("pk")[0]
    audit_record(actor=client.user, action="official.update", obj=official, after={})
    today = timezone.localdate()
    written = f"{today.day} {today:%B} {today.year}"
    for path in ("/staff/", "/staff/audit/", f"/staff/officials/{official.pk}/", "/staff/cases/"):
        text = visible_text(client.get(path).content.decode())
        assert not ISO_DAY.search(text), (path, ISO_DAY.findall(text)[:3])
    assert written in visible_text(client.get("/staff/audit/").content.decode())
    assert written in visible_text(client.get("/staff/").content.decode())
