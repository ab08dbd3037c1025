"""Read and check configuration from the environment.

Every variable is listed in `.env.example` and docs/configuration.md. Values are read and
cast with django-environ (URLs, lists, numbers); a missing or malformed value stops the
process at start-up with one line that names the variable.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

from config import keyfile

T = TypeVar("T")

_env = environ.Env()


class ConfigError(Exception):
    """A configuration variable is missing or invalid; the message names it."""


def _read(name: str, read: Callable[[], T], problem: str) -> T:
    """One django-environ read; whatever it raises becomes one line naming the variable."""
    try:
        return read()
    except (ValueError, TypeError, ImproperlyConfigured) as exc:
        raise ConfigError(f"{name}: {problem}") from exc


BASE_DIR = Path(__file__).resolve().parent.parent


# What the data directory holds that must be the owner's alone even when it was created
# before this rule: the database with its journal files, and the keys.
_PRIVATE_FILES = (
    "urgent.sqlite3",
    "urgent.sqlite3-wal",
    "urgent.sqlite3-shm",
    "urgent.sqlite3-journal",
    "secret_key",
    "data_key",
    "staff-login.txt",
)


def data_dir() -> Path:
    """The data directory, created 0700; everything written in it afterwards is 0600.

    It holds supporters' names and addresses (the database, the mail folder), so nobody
    else on the machine may read it. The umask covers the files SQLite creates itself (the
    WAL and shared-memory files) and those any later process of this instance writes.
    """
    os.umask(0o077)
    raw = os.environ.get("URGENT_DATA_DIR", "").strip()
    path = Path(raw).expanduser() if raw else BASE_DIR / "var"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"URGENT_DATA_DIR: cannot create the data directory {path} ({exc.strerror})"
        ) from exc
    _owner_only(path, 0o700)
    for name in _PRIVATE_FILES:
        _owner_only(path / name, 0o600)
    return path.resolve()


def _owner_only(path: Path, mode: int) -> None:
    """Tighten a path we own that is open to others; leave anyone else's alone."""
    try:
        info = path.stat()
        if info.st_uid == os.getuid() and info.st_mode & 0o077:
            path.chmod(mode)
    except OSError:
        return  # missing, or not ours to change: the umask still covers new files


def _sqlite(path: str) -> dict[str, Any]:
    return {
        # Django's SQLite backend, with writers queueing on a lock file (urgent/core/sqlite).
        "ENGINE": "urgent.core.sqlite",
        "NAME": path,
        "OPTIONS": {
            # WAL lets the web and worker processes read while one of them writes;
            # IMMEDIATE takes the write lock at BEGIN so writers queue instead of failing.
            # secure_delete overwrites what is deleted or replaced with zeros, so a value
            # sealed in place, or a supporter erased, leaves no copy in the file's free pages.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
                " PRAGMA secure_delete=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # Keep connections between requests: opening one costs three PRAGMAs.
        "CONN_MAX_AGE": 300,
        "CONN_HEALTH_CHECKS": True,
    }


def database_default(data: Path) -> dict[str, Any]:
    """The embedded database: one SQLite file in the data directory."""
    return _sqlite(str(data / "urgent.sqlite3"))


def database(data: Path) -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return database_default(data)
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
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if not config.get("NAME") or config["NAME"] == ":memory:":
            raise ConfigError(
                "DATABASE_URL: an SQLite URL needs a file path: sqlite:////absolute/path.sqlite3"
            )
        return _sqlite(config["NAME"])
    if not config.get("NAME"):
        raise ConfigError("DATABASE_URL: the URL names no database (add /name at the end)")
    # Django's backend, with a health check that reads the socket instead of asking the
    # server `SELECT 1` on every request (urgent/core/postgresql).
    config["ENGINE"] = "urgent.core.postgresql"
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
    config = _read(
        "EMAIL_URL",
        lambda: environ.Env.email_url_config(url),
        "the port is not a number between 1 and 65535",
    )
    if not config.get("EMAIL_HOST"):
        raise ConfigError("EMAIL_URL: the URL names no host")
    # Our reading of TLS, not the library's: smtps:// is TLS from the first byte (port
    # 465), as mail clients mean it; STARTTLS is smtp+tls:// or ?tls=true.
    query = {k.lower(): v[-1].lower() for k, v in parse_qs(parts.query).items()}
    implicit_tls = parts.scheme in {"smtps", "smtp+ssl"} or query.get("ssl") in _TRUE
    starttls = not implicit_tls and (parts.scheme == "smtp+tls" or query.get("tls") in _TRUE)
    return {
        "EMAIL_BACKEND": "urgent.core.mail.smtp.EmailBackend",
        "EMAIL_HOST": config["EMAIL_HOST"],
        "EMAIL_PORT": config["EMAIL_PORT"] or (465 if implicit_tls else 25),
        "EMAIL_HOST_USER": config["EMAIL_HOST_USER"] or "",
        "EMAIL_HOST_PASSWORD": config["EMAIL_HOST_PASSWORD"] or "",
        "EMAIL_USE_TLS": starttls,
        "EMAIL_USE_SSL": implicit_tls,
        "EMAIL_TIMEOUT": 30,
        "URGENT_MAILDIR": str(data / "mail"),
    }


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def secret_key(data: Path) -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise ConfigError("SECRET_KEY: must be at least 32 characters long")
        return key
    # With no key set, one is made once and kept in the data directory, so signed links
    # and sessions survive restarts without anyone having to invent a key.
    path = data / "secret_key"
    keyfile.file_create_once(path, secrets.token_urlsafe(50))
    return path.read_text().strip()


def data_key_file(data: Path) -> Path:
    """URGENT_DATA_KEY_FILE: the keys sealing supporters' data (urgent.core.vault).

    Unset, it is `data_key` in the data directory, made 0600 on first run like the secret
    key. Set, the file must exist: a missing key file means the data cannot be read, so it
    is never replaced by a new key silently.
    """
    raw = os.environ.get("URGENT_DATA_KEY_FILE", "").strip()
    path = Path(raw).expanduser() if raw else data / "data_key"
    if not raw:
        keyfile.keyfile_create(path)
    try:
        keyfile.keyfile_read(path)
    except keyfile.VaultError as exc:
        raise ConfigError(f"URGENT_DATA_KEY_FILE: {exc}") from exc
    return path.resolve()


def allowed_hosts() -> list[str]:
    listed = _env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
    hosts = [h.strip() for h in listed if h.strip()]
    if not hosts:
        raise ConfigError("ALLOWED_HOSTS: give at least one host name, separated by commas")
    return hosts


def trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """URGENT_TRUSTED_PROXIES: the reverse proxies whose X-Forwarded-For is believed."""
    listed = _env.list("URGENT_TRUSTED_PROXIES", default=[])
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for item in (i.strip() for i in listed):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as exc:
            raise ConfigError(
                f"URGENT_TRUSTED_PROXIES: {item!r} is not an address or network; "
                "give addresses or CIDRs separated by commas, such as 127.0.0.1,10.0.0.0/8"
            ) from exc
    return networks


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
    # django-environ reads any unknown word as false; a typo here must not pass unnoticed.
    raw = os.environ.get("URGENT_DEBUG", "").strip().lower()
    if raw not in {"", *_TRUE, *_FALSE}:
        raise ConfigError("URGENT_DEBUG: must be true or false")
    return _env.bool("URGENT_DEBUG", default=False)


def _positive_int(name: str, default: int, *, minimum: int = 1) -> int:
    problem = f"must be a whole number of at least {minimum}"
    if not os.environ.get(name, "").strip():
        return default
    value = _read(name, lambda: _env.int(name), problem)
    if value < minimum:
        raise ConfigError(f"{name}: {problem}")
    return value


def official_budget() -> tuple[int, int]:
    """URGENT_OFFICIAL_MAX_PER_HOUR / _PER_DAY: letters one official receives, all cases."""
    per_hour = _positive_int("URGENT_OFFICIAL_MAX_PER_HOUR", 60)
    per_day = _positive_int("URGENT_OFFICIAL_MAX_PER_DAY", 500)
    if per_day < per_hour:
        raise ConfigError(
            "URGENT_OFFICIAL_MAX_PER_DAY: must be at least URGENT_OFFICIAL_MAX_PER_HOUR"
        )
    return per_hour, per_day


def bounces_before_dead() -> int:
    return _positive_int("URGENT_BOUNCES_BEFORE_DEAD", 3)


def bounce_relays() -> list[str]:
    """URGENT_BOUNCE_RELAYS: mail hosts whose delivery reports count for any recipient.

    Domain names (a host counts when it is one or sits below one): the organisation's own
    outgoing relay, which reports the refusals it hears, and mail providers that receive
    for officials' domains (their MX hosts).
    """
    listed = _env.list("URGENT_BOUNCE_RELAYS", default=[])
    relays = [item.strip().lower().strip(".") for item in listed if item.strip()]
    for relay in relays:
        if "." not in relay or "@" in relay or any(c.isspace() or c == "/" for c in relay):
            raise ConfigError(
                f"URGENT_BOUNCE_RELAYS: {relay!r} is not a host or domain name; give names "
                "separated by commas, such as smtp.relay.example.org,outlook.com"
            )
    return relays


def letter_max_chars() -> int:
    return _positive_int("URGENT_LETTER_MAX_CHARS", 6000, minimum=500)


def action_limits() -> tuple[int, int]:
    """Per client address per hour, and letters per supporter email address per day."""
    return (
        _positive_int("URGENT_ACTIONS_PER_IP_PER_HOUR", 60),
        _positive_int("URGENT_LETTERS_PER_ADDRESS_PER_DAY", 20),
    )


def pow_max_number() -> int:
    """URGENT_POW_MAX_NUMBER: ALTCHA difficulty (a browser tries half of it on average)."""
    return _positive_int("URGENT_POW_MAX_NUMBER", 50_000, minimum=100)


def fax_gateway() -> dict[str, str]:
    """URGENT_FAX_GATEWAY (http, email or empty) and what the chosen adapter needs."""
    kind = os.environ.get("URGENT_FAX_GATEWAY", "").strip().lower()
    url = os.environ.get("URGENT_FAX_URL", "").strip()
    domain = os.environ.get("URGENT_FAX_EMAIL_DOMAIN", "").strip().lower()
    reports_from = os.environ.get("URGENT_FAX_EMAIL_FROM", "").strip().lower()
    if kind not in {"", "http", "email"}:
        raise ConfigError("URGENT_FAX_GATEWAY: must be http, email or empty (no fax sending)")
    if kind == "http" and urlsplit(url).scheme not in {"http", "https"}:
        raise ConfigError(
            "URGENT_FAX_URL: give the fax service's API address, such as "
            "https://token@fax.example.org/v1/faxes"
        )
    if kind == "email" and ("." not in domain or "@" in domain or "\n" in domain):
        raise ConfigError(
            "URGENT_FAX_EMAIL_DOMAIN: give the email-to-fax domain, such as fax.example.org"
        )
    malformed = reports_from.count("@") > 1 or "." not in reports_from or "\n" in reports_from
    if reports_from and malformed:
        raise ConfigError(
            "URGENT_FAX_EMAIL_FROM: give the address (or domain) the email-to-fax service "
            "sends its reports from, such as reports@fax.example.org"
        )
    return {"kind": kind, "url": url, "domain": domain, "from": reports_from or domain}


def updates_email() -> str:
    """URGENT_UPDATES_EMAIL: where "Keep me updated on UA ..." requests are sent."""
    raw = os.environ.get("URGENT_UPDATES_EMAIL", "").strip()
    if raw and (raw.count("@") != 1 or any(c in raw for c in " <>\r\n,")):
        raise ConfigError(
            "URGENT_UPDATES_EMAIL: must be a bare address such as updates@example.org"
        )
    return raw


def inbound_webhook_secret() -> str:
    """URGENT_INBOUND_WEBHOOK_SECRET: the password email services send to /inbound/<esp>/."""
    raw = os.environ.get("URGENT_INBOUND_WEBHOOK_SECRET", "").strip()
    if raw and (len(raw) < 16 or ":" in raw):
        raise ConfigError(
            "URGENT_INBOUND_WEBHOOK_SECRET: must be at least 16 characters, without a colon"
        )
    return raw


def inbound_max_bytes() -> int:
    """URGENT_INBOUND_MAX_BYTES: the largest message the receiver accepts (SMTP 552 above)."""
    return _positive_int("URGENT_INBOUND_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)


def mail_rate() -> int:
    """URGENT_MAIL_RATE: bulk messages per second across all workers; 0 means no limit."""
    return _positive_int("URGENT_MAIL_RATE", 0, minimum=0)


def mail_connections() -> int:
    """URGENT_MAIL_CONNECTIONS: SMTP connections (sending threads) per worker process."""
    value = _positive_int("URGENT_MAIL_CONNECTIONS", 1)
    if value > 64:
        raise ConfigError("URGENT_MAIL_CONNECTIONS: must be between 1 and 64")
    return value


def mail_bounce_limit() -> int:
    """URGENT_MAIL_BOUNCE_LIMIT: hard bounces before a supporter is marked bouncing."""
    return _positive_int("URGENT_MAIL_BOUNCE_LIMIT", 3)


def mail_refusal_limit() -> int:
    """URGENT_MAIL_REFUSAL_LIMIT: refusals in a row after which a mailing pauses itself."""
    return _positive_int("URGENT_MAIL_REFUSAL_LIMIT", 50)


def mail_lease_seconds() -> int:
    """URGENT_MAIL_LEASE_SECONDS: how long a claimed batch stays a worker's before reclaim."""
    return _positive_int("URGENT_MAIL_LEASE_SECONDS", 60, minimum=2)


def dkim() -> tuple[str, str] | None:
    """URGENT_DKIM_KEY_FILE (PEM, RSA or Ed25519) and URGENT_DKIM_SELECTOR; None when unset."""
    path = os.environ.get("URGENT_DKIM_KEY_FILE", "").strip()
    selector = os.environ.get("URGENT_DKIM_SELECTOR", "").strip()
    if not path:
        if selector:
            raise ConfigError("URGENT_DKIM_KEY_FILE: set it too, or unset URGENT_DKIM_SELECTOR")
        return None
    import re

    if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62})", selector):
        raise ConfigError(
            "URGENT_DKIM_SELECTOR: give the selector of the DNS key record, such as urgent2026"
        )
    try:
        data = Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise ConfigError(f"URGENT_DKIM_KEY_FILE: cannot read {path} ({exc.strerror})") from exc
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            "URGENT_DKIM_KEY_FILE: not an unencrypted PEM private key (RSA or Ed25519)"
        ) from exc
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < 1024:
        raise ConfigError("URGENT_DKIM_KEY_FILE: an RSA key must have at least 1024 bits")
    if not isinstance(key, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        raise ConfigError("URGENT_DKIM_KEY_FILE: only RSA and Ed25519 keys can sign DKIM")
    return str(Path(path).expanduser().resolve()), selector


def federation_allow_private() -> bool:
    """URGENT_FEDERATION_ALLOW_PRIVATE: let other instances live on private or loopback hosts."""
    raw = os.environ.get("URGENT_FEDERATION_ALLOW_PRIVATE", "").strip().lower()
    if raw in {"", "0", "false", "no", "off"}:
        return False
    if raw in _TRUE:
        return True
    raise ConfigError("URGENT_FEDERATION_ALLOW_PRIVATE: must be true or false")


def federation_name() -> str:
    """URGENT_FEDERATION_NAME: how this instance names itself to other instances."""
    raw = os.environ.get("URGENT_FEDERATION_NAME", "").strip()
    if len(raw) > 200 or any(c in raw for c in "\r\n<>"):
        raise ConfigError(
            "URGENT_FEDERATION_NAME: at most 200 characters on one line, without < or >"
        )
    return raw
