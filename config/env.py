"""Read and check configuration from the environment.

Every variable is listed in `.env.example` and docs/configuration.md. A missing or malformed
value stops the process at start-up with one line that names the variable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import environ


class ConfigError(Exception):
    """A configuration variable is missing or invalid; the message names it."""


BASE_DIR = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    raw = os.environ.get("URGENT_DATA_DIR", "").strip()
    path = Path(raw).expanduser() if raw else BASE_DIR / "var"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"URGENT_DATA_DIR: cannot create the data directory {path} ({exc.strerror})"
        ) from exc
    return path.resolve()


def database(data: Path) -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data / "urgent.sqlite3"),
            "OPTIONS": {
                # WAL lets the web and worker processes read while one of them writes;
                # IMMEDIATE takes the write lock at BEGIN so writers queue instead of failing.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ConfigError(
            f"DATABASE_URL: unsupported or malformed database URL (scheme {scheme!r}); "
            "use postgres://user@host:5432/name or sqlite:////absolute/path.sqlite3"
        )
    try:
        config: dict[str, Any] = environ.Env.db_url_config(url)
    except Exception as exc:
        raise ConfigError(f"DATABASE_URL: cannot read the database URL ({exc})") from exc
    if config["ENGINE"] != "django.db.backends.sqlite3" and not config.get("NAME"):
        raise ConfigError("DATABASE_URL: the URL names no database (add /name at the end)")
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["ENGINE"] = "django.db.backends.postgresql"
        config.setdefault("CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
    return config


def email(data: Path) -> dict[str, Any]:
    """EMAIL_URL: smtp://user:pass@host:587/?tls=true (STARTTLS), smtps://host:465 (TLS)."""
    url = os.environ.get("EMAIL_URL", "").strip()
    if not url:
        return {
            "EMAIL_BACKEND": "urgent.core.maildir.MaildirBackend",
            "URGENT_MAILDIR": str(data / "mail"),
        }
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps", "smtp+tls", "smtp+ssl"}:
        raise ConfigError(
            f"EMAIL_URL: unsupported scheme {parts.scheme!r}; "
            "use smtp://user:password@host:587/?tls=true or smtps://host:465"
        )
    try:
        port = parts.port
    except ValueError as exc:
        raise ConfigError("EMAIL_URL: the port is not a number between 1 and 65535") from exc
    if not parts.hostname:
        raise ConfigError("EMAIL_URL: the URL names no host")
    query = {k.lower(): v[-1].lower() for k, v in parse_qs(parts.query).items()}
    implicit_tls = parts.scheme in {"smtps", "smtp+ssl"} or query.get("ssl") in _TRUE
    starttls = not implicit_tls and (parts.scheme == "smtp+tls" or query.get("tls") in _TRUE)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if implicit_tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": starttls,
        "EMAIL_USE_SSL": implicit_tls,
        "EMAIL_TIMEOUT": 30,
        "URGENT_MAILDIR": str(data / "mail"),
    }


_TRUE = {"1", "true", "yes", "on"}


def secret_key(data: Path) -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise ConfigError("SECRET_KEY: must be at least 32 characters long")
        return key
    # With no key set, one is made once and kept in the data directory, so signed links
    # and sessions survive restarts without anyone having to invent a key.
    path = data / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


def allowed_hosts() -> list[str]:
    raw = os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
    hosts = [h.strip() for h in raw.split(",") if h.strip()]
    if not hosts:
        raise ConfigError("ALLOWED_HOSTS: give at least one host name, separated by commas")
    return hosts


def base_url() -> str:
    raw = os.environ.get("URGENT_BASE_URL", "http://127.0.0.1:8000").strip().rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(
            "URGENT_BASE_URL: must be an absolute http(s) URL such as https://urgent.example.org"
        )
    return raw


def from_email() -> str:
    raw = os.environ.get("URGENT_FROM_EMAIL", "Urgent <urgent@localhost>").strip()
    if "@" not in raw or "\n" in raw or "\r" in raw:
        raise ConfigError("URGENT_FROM_EMAIL: must be an address such as actions@example.org")
    return raw


def inbound_smtp() -> tuple[str, int] | None:
    raw = os.environ.get("URGENT_INBOUND_SMTP", "").strip()
    if not raw:
        return None
    host, sep, port = raw.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError("URGENT_INBOUND_SMTP: must be host:port, such as 127.0.0.1:2525")
    return host.strip("[]"), int(port)


def debug() -> bool:
    raw = os.environ.get("URGENT_DEBUG", "").strip().lower()
    if raw in {"", "0", "false", "no", "off"}:
        return False
    if raw in {"1", "true", "yes", "on"}:
        return True
    raise ConfigError("URGENT_DEBUG: must be true or false")
