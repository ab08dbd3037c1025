"""Bad settings stop the process at start-up with one line naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_urgent


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://nobody@nowhere/db"),
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "postgres://user@host:5432/"),
        ("DATABASE_URL", "sqlite://:memory:"),
        ("EMAIL_URL", "ftp://mail.example.org"),
        ("EMAIL_URL", "smtp://mail.example.org:99999"),
        ("EMAIL_URL", "smtp://:25"),
        ("URGENT_MAIL_CONNECTIONS", "lots"),
        ("URGENT_BOUNCES_BEFORE_DEAD", "0"),
        ("URGENT_INBOUND_MAX_BYTES", "12"),
        ("URGENT_INBOUND_SMTP", "localhost"),
        ("URGENT_BASE_URL", "example.org"),
        ("SECRET_KEY", "short"),
        ("URGENT_DEBUG", "maybe"),
        ("ALLOWED_HOSTS", " , "),
        ("URGENT_TRUSTED_PROXIES", "10.0.0.0/8,the load balancer"),
    ],
)
def test_bad_setting_names_the_variable(scratch_env: dict[str, str], name: str, value: str) -> None:
    scratch_env[name] = value
    result = run_urgent("check", env=scratch_env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]
    assert "Traceback" not in result.stderr


def test_defaults_need_no_configuration(scratch_env: dict[str, str]) -> None:
    for name in ("DATABASE_URL", "EMAIL_URL", "SECRET_KEY", "URGENT_INBOUND_SMTP"):
        scratch_env.pop(name, None)
    result = run_urgent("check", env=scratch_env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_database_and_mail_urls_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from config import env

    monkeypatch.setenv("DATABASE_URL", "postgres://app:secret@db.example.org:6543/urgent")
    config = env.database(tmp_path)
    assert config["ENGINE"] == "urgent.core.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example.org", 6543, "urgent")

    # An SQLite file named by URL gets the same engine and settings as the default one.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite3")
    config = env.database(tmp_path)
    assert config == {**env.database_default(tmp_path), "NAME": f"{tmp_path}/other.sqlite3"}

    monkeypatch.setenv("EMAIL_URL", "smtp://user:pw@mail.example.org:587/?tls=True")
    mail = env.email(tmp_path)
    assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"], mail["EMAIL_USE_TLS"]) == (
        "mail.example.org",
        587,
        True,
    )
    # smtps:// is TLS from the first byte on 465; a password may hold quoted characters.
    monkeypatch.setenv("EMAIL_URL", "smtps://me%40example.org:p%2Fw@mail.example.org")
    mail = env.email(tmp_path)
    assert (mail["EMAIL_PORT"], mail["EMAIL_USE_SSL"], mail["EMAIL_USE_TLS"]) == (465, True, False)
    assert (mail["EMAIL_HOST_USER"], mail["EMAIL_HOST_PASSWORD"]) == ("me@example.org", "p/w")

    monkeypatch.setenv("ALLOWED_HOSTS", " urgent.example.org, ,[::1] ")
    assert env.allowed_hosts() == ["urgent.example.org", "[::1]"]
    monkeypatch.setenv("URGENT_DEBUG", "On")
    assert env.debug() is True
    monkeypatch.setenv("URGENT_MAIL_RATE", " 250 ")
    assert env.mail_rate() == 250
