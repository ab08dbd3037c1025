"""The site shell: favicon, compressed pages (never one holding a secret), hashed static
files with a long cache life."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_favicon_is_served(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"
    assert "max-age=86400" in response["Cache-Control"]


def test_public_pages_are_compressed(client: Client, demo: None) -> None:
    response = client.get("/cases/ua-101-26/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "Take action" in html


def test_signed_link_pages_and_staff_are_not_compressed(
    client: Client, demo: None, staff_client: Any
) -> None:
    response = client.get("/s/preferences/some-token/", HTTP_ACCEPT_ENCODING="gzip")
    assert not response.has_header("Content-Encoding")
    staff = staff_client("coordinator")
    response = staff.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert not response.has_header("Content-Encoding")


def test_static_files_have_hashed_names_gzip_copies_and_a_year_of_cache(
    settings: Any, tmp_path: Path, demo: None
) -> None:
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert '"urgent/site.css"' in manifest
    hashed = sorted(tmp_path.glob("urgent/site.*.css"))
    assert hashed, list(tmp_path.glob("urgent/*"))
    assert Path(str(hashed[0]) + ".gz").exists()
    # A new client builds the middleware afresh: WhiteNoise reads the collected files.
    client = Client()
    html = client.get("/").content.decode()
    name = hashed[0].name
    assert f"/static/urgent/{name}" in html
    response = client.get(f"/static/urgent/{name}", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert "max-age=315360000" in response["Cache-Control"]
    assert response["Content-Encoding"] == "gzip"
