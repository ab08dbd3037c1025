"""A copy of the database alone reveals nobody: no address, name, city or letter in clear."""

from __future__ import annotations

import email
import email.policy
import http.cookiejar
import re
import secrets
import shutil
import sqlite3
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.test import Client, override_settings

from tests.actions.helpers import compose_data, write_and_confirm
from tests.conftest import URGENT, free_port, run_urgent, urgent_env
from tests.core.test_serve import wait_for
from urgent.actions import pow
from urgent.actions.models import Action
from urgent.outreach.services import supporter_erase
from urgent.supporters.models import Supporter
from urgent.supporters.selectors import supporters_by_email
from urgent.supporters.services import confirmation_request

EMAIL = "Wren.Halloway@example.org"
NAME = "Wren Halloway"
CITY = "Quillhaven"
PHRASE = "the tide clocks of Quillhaven keep their own time"
NEEDLES = [EMAIL, EMAIL.lower(), "Halloway", CITY, PHRASE]


def clear_text_in(data: bytes) -> list[str]:
    """The needles found in raw bytes, as UTF-8 and as SQLite's and PostgreSQL's text."""
    folded = data.lower()
    return [n for n in NEEDLES if n.lower().encode() in folded]


class Browser:
    """A client with cookies and CSRF tokens, speaking real HTTP to the served instance."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return str(response.read().decode())

    def post(self, path: str, data: dict[str, Any]) -> str:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
        request = urllib.request.Request(
            self.base + path, data=body.encode(), headers={"Referer": self.base + path}
        )
        with self.opener.open(request, timeout=30) as response:
            assert response.status == 200, response.status
            return str(response.read().decode())


def mailed_links(data_dir: Path) -> list[str]:
    """Confirmation links in the messages the instance put in its local mail folder."""
    links = []
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file() and p.parent.name == "new"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        links += re.findall(r"https?://[^/\s]+(/(?:act|s)/confirm/[^\s/]+/)", body.get_content())
    return links


def test_a_copy_of_a_running_instances_database_shows_nobody_in_clear(tmp_path: Path) -> None:
    port = free_port()
    key = secrets.token_urlsafe(40)
    data_dir = tmp_path / "data"
    env = urgent_env(
        data_dir,
        SECRET_KEY=key,
        URGENT_BASE_URL=f"http://127.0.0.1:{port}",
        URGENT_POW_MAX_NUMBER="1000",
    )
    for command in (["migrate", "--noinput"], ["demo"]):
        done = run_urgent(*command, env=env)
        assert done.returncode == 0, done.stderr
    with override_settings(SECRET_KEY=key):
        solved = pow.challenge_solve(pow.challenge_new(max_number=1000))
    server = subprocess.Popen(
        [URGENT, "serve", "--no-worker", "--bind", f"127.0.0.1:{port}", "--web-workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(f"http://127.0.0.1:{port}/cases/ua-101-26/") == 200
        browser = Browser(f"http://127.0.0.1:{port}")
        browser.get("/join/")
        browser.post(
            "/join/",
            {
                "name": NAME,
                "email": EMAIL,
                "city": CITY,
                "country": "PT",
                "language": "en",
                "frequency": "every",
                "channels": ["email"],
                "consent": "on",
                "website": "",
            },
        )
        browser.get("/cases/ua-101-26/")
        letter = compose_data(
            email=EMAIL.upper(), name=NAME, city=CITY, personal=PHRASE, altcha=solved
        )
        assert "Check your inbox" in browser.post("/act/ua-101-26/", letter)
        links = mailed_links(data_dir)
        assert len(links) == 2, links
        for link in links:
            browser.get(link)
            browser.post(link, {})
        copy = tmp_path / "copy"
        copy.mkdir()
        for name in ("urgent.sqlite3", "urgent.sqlite3-wal"):
            shutil.copyfile(data_dir / name, copy / name)
    finally:
        server.terminate()
        server.wait(timeout=30)
    # The copy holds the supporter, confirmed, and their letter: all of it sealed.
    raw = b"".join((copy / n).read_bytes() for n in ("urgent.sqlite3", "urgent.sqlite3-wal"))
    assert clear_text_in(raw) == []
    with closing(sqlite3.connect(copy / "urgent.sqlite3")) as db:
        supporters = db.execute(
            "SELECT email, name, city, confirmed_at, id FROM supporters_supporter"
        ).fetchall()
        letters = db.execute(
            "SELECT letter, signature FROM actions_action WHERE supporter_id = ?",
            (supporters[0][4],),
        ).fetchall()
    assert len(supporters) == 1 and supporters[0][3] is not None
    assert all(str(v).startswith("enc1:") for v in supporters[0][:3])
    assert [(a.startswith("enc1:"), s.startswith("enc1:")) for a, s in letters] == [(True, True)]


@pytest.mark.django_db(transaction=True)
def test_a_postgresql_dump_shows_nobody_in_clear(demo: None, tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the database is SQLite here: the PostgreSQL run dumps its own")
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    write_and_confirm(Client(), email=EMAIL, name=NAME, city=CITY, personal=PHRASE)
    db = settings.DATABASES["default"]
    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            str(db["HOST"] or "127.0.0.1"),
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            str(db["USER"]),
            str(db["NAME"]),
        ],
        env={"PGPASSWORD": str(db["PASSWORD"] or ""), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    assert b"enc1:" in dump
    assert supporters_by_email(EMAIL).get().name == NAME
    assert clear_text_in(dump) == []


def test_one_supporter_for_an_address_whatever_its_case(demo: None) -> None:
    for typed in (EMAIL, EMAIL.upper(), f"  {EMAIL.lower()} "):
        confirmation_request(
            email=typed.strip(), kind="join", wording="I agree", source="test", language="en"
        )
    supporter = Supporter.objects.get()
    assert supporters_by_email(EMAIL.lower()).get() == supporter
    assert Supporter.objects.filter(email__isnull=False).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Supporter.objects.create(email=EMAIL.swapcase())
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM supporters_supporter")
        assert [r[0].startswith("enc1:") for r in cursor.fetchall()] == [True]


def test_erasure_leaves_neither_hash_nor_sealed_values(demo: None) -> None:
    write_and_confirm(Client(), email=EMAIL, name=NAME, city=CITY, personal=PHRASE)
    supporter = supporters_by_email(EMAIL).get()
    action = Action.objects.get(supporter=supporter)
    with connection.cursor() as cursor:
        cursor.execute("SELECT letter FROM actions_action WHERE id = %s", [action.pk])
        assert cursor.fetchone()[0].startswith("enc1:")
    supporter_erase(supporter=supporter)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT email, email_hash, name, city FROM supporters_supporter WHERE id = %s",
            [supporter.pk],
        )
        assert cursor.fetchone() == (None, None, "", "")
        cursor.execute("SELECT letter, signature FROM actions_action WHERE id = %s", [action.pk])
        assert cursor.fetchone() == ("", "")
    assert not supporters_by_email(EMAIL).exists()


def test_staff_find_a_supporter_by_exact_address_or_part_of_a_name(
    staff_client: Callable[..., Any],
) -> None:
    admin = staff_client("coordinator", username="head")
    User.objects.filter(username="head").update(is_superuser=True)
    wren = Supporter.objects.create(email=EMAIL, name=NAME, city=CITY)
    Supporter.objects.create(email="other.person@example.org", name="Other Person")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM supporters_supporter WHERE id = %s", [wren.pk])
        assert cursor.fetchone()[0].startswith("enc1:")
    for term in (EMAIL.upper(), "halloWAY", "Wren"):
        page = admin.get("/admin/supporters/supporter/", {"q": term})
        assert page.status_code == 200
        html = page.content.decode()
        assert f"/admin/supporters/supporter/{wren.pk}/change/" in html, term
        assert "other.person@example.org" not in html, term
    # Part of an address finds nothing: addresses are only matched whole, by their hash.
    page = admin.get("/admin/supporters/supporter/", {"q": "halloway@"})
    assert f"/admin/supporters/supporter/{wren.pk}/change/" not in page.content.decode()
    deliveries = admin.get("/admin/mailings/delivery/", {"q": EMAIL})
    assert deliveries.status_code == 200


def test_staff_editing_a_supporter_must_give_a_real_address(
    staff_client: Callable[..., Any],
) -> None:
    admin = staff_client("coordinator", username="head")
    User.objects.filter(username="head").update(is_superuser=True)
    wren = Supporter.objects.create(email=EMAIL, name=NAME, city=CITY, status="active")
    url = f"/admin/supporters/supporter/{wren.pk}/change/"
    form = {
        "email": "not an address",
        "name": NAME,
        "city": CITY,
        "country": "",
        "language": "en",
        "status": "active",
        "frequency": "every",
        "countries": "[]",
        "channels": "[]",
        "bounce_count": "0",
        "consents-TOTAL_FORMS": "0",
        "consents-INITIAL_FORMS": "0",
        "subscriptions-TOTAL_FORMS": "0",
        "subscriptions-INITIAL_FORMS": "0",
    }
    page = admin.post(url, form)
    assert page.status_code == 200
    assert "Enter a valid email address." in page.content.decode()
    wren.refresh_from_db()
    assert wren.email == EMAIL
    page = admin.post(url, {**form, "email": "  Wren.New@Example.org "})
    assert page.status_code == 302, page.content.decode()[:2000]
    wren.refresh_from_db()
    assert wren.email == "Wren.New@Example.org"
    assert supporters_by_email("wren.new@example.org").get() == wren
