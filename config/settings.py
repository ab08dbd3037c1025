"""Django settings, read from the environment (see config/env.py and .env.example)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from config import env

BASE_DIR = env.BASE_DIR
DATA_DIR = env.data_dir()

DEBUG = env.debug()
SECRET_KEY = env.secret_key(DATA_DIR)
# The keys sealing supporters' personal data (urgent.core.vault): kept out of the database.
URGENT_DATA_KEY_FILE = env.data_key_file(DATA_DIR)
ALLOWED_HOSTS = env.allowed_hosts()
URGENT_BASE_URL = env.base_url()
URGENT_FROM_EMAIL = env.from_email()
URGENT_INBOUND_SMTP = env.inbound_smtp()
DEFAULT_FROM_EMAIL = URGENT_FROM_EMAIL
SERVER_EMAIL = URGENT_FROM_EMAIL
CSRF_TRUSTED_ORIGINS = [URGENT_BASE_URL]
# Reverse proxies whose X-Forwarded-For names the client (urgent.core.client); none: the
# socket's address is the client's.
URGENT_TRUSTED_PROXIES = env.trusted_proxies()

INSTALLED_APPS = [
    "urgent.staff.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "urgent.core",
    "urgent.officials",
    "urgent.cases",
    "urgent.supporters",
    "urgent.actions",
    "urgent.impact",
    "urgent.mailings",
    "urgent.inbound",
    "urgent.outreach",
    "urgent.ingest",
    "urgent.federation",
    # The JSON API (django-ninja; "ninja" serves its API docs page's static files).
    "ninja",
    "urgent.api",
    "urgent.staff.apps.StaffConfig",
    "urgent.web",
    # Development benchmarks (`urgent bench`); no shipped app imports them.
    "benches",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "urgent.core.middleware.AuditSourceMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML compressed for anonymous public pages (static files come compressed already).
    "urgent.web.middleware.PublicGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "urgent.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.database(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_email = env.email(DATA_DIR)
EMAIL_BACKEND = _email.pop("EMAIL_BACKEND", "urgent.core.mail.smtp.EmailBackend")
URGENT_MAILDIR = _email.pop("URGENT_MAILDIR")
for _name, _value in _email.items():
    globals()[_name] = _value

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff_login"
OTP_TOTP_ISSUER = "Urgent"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "urgent" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Django chmods what its storages write (collected static files, uploads) to these modes,
# whatever the umask: keep them the owner's, like the rest of the data directory.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files")},
    },
    # Hashed names (cached a year by browsers), gzip copies; `urgent serve` collects them.
    "staticfiles": {"BACKEND": "urgent.web.storage.StaticStorage"},
    # Files shown on public pages (photos of people at risk), served by urgent.cases.views
    # only while they may be shown; the names are unguessable.
    "media": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "media"), "base_url": "/media/"},
    },
}
# Serve straight from the app folders as well, so tests and `runserver` need no collectstatic.
WHITENOISE_USE_FINDERS = True
# The favicon and other unhashed names: a day; hashed names are cached for a year.
WHITENOISE_MAX_AGE = 24 * 3600
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600  # a working day; staff sign in again after it
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if URGENT_BASE_URL.startswith("https://"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # flufl.bounce names every detector it runs on every bounce at INFO.
        "flufl.bounce": {"level": "WARNING"},
    },
}

# Taking action (urgent.actions; docs/taking-action.md).
# Letters one official may receive across all cases, per hour and per day (pacing).
URGENT_OFFICIAL_MAX_PER_HOUR, URGENT_OFFICIAL_MAX_PER_DAY = env.official_budget()
# Permanent bounces after which a contact point is marked dead and flagged to staff.
URGENT_BOUNCES_BEFORE_DEAD = env.bounces_before_dead()
# Mail hosts whose bounce reports count on any official's address (besides the hosts of
# the address's own domain): the outgoing relay, providers that receive for officials.
URGENT_BOUNCE_RELAYS = env.bounce_relays()
# Longest letter accepted, in characters (the form names the limit).
URGENT_LETTER_MAX_CHARS = env.letter_max_chars()
# Rate limits on action forms: per client address per hour, letters per email per day.
URGENT_ACTIONS_PER_IP_PER_HOUR, URGENT_LETTERS_PER_ADDRESS_PER_DAY = env.action_limits()
# Proof-of-work difficulty of the self-hosted ALTCHA challenge on action forms.
URGENT_POW_MAX_NUMBER = env.pow_max_number()
# Fax gateway: {"kind": "" | "http" | "email", "url": ..., "domain": ..., "from": ...}
# ("from": the address or domain email-to-fax reports come from).
URGENT_FAX = env.fax_gateway()

# Supporters and inbound mail (urgent.supporters, urgent.inbound; docs/supporters.md,
# docs/inbound-mail.md). The updates address is shown on case pages when the case's
# organisation has none of its own; the webhook secret switches /inbound/<esp>/ on.
URGENT_UPDATES_EMAIL = env.updates_email()
URGENT_INBOUND_WEBHOOK_SECRET = env.inbound_webhook_secret()
URGENT_INBOUND_MAX_BYTES = env.inbound_max_bytes()
# A second confirmation mail for the same request is not sent within this many seconds.
URGENT_CONFIRMATION_COOLDOWN_SECONDS = 15 * 60

# Mailings (urgent.mailings; docs/mailings.md). Bulk send rate across all workers (0: no
# limit), SMTP connections per worker, hard bounces before a supporter is marked bouncing,
# refusals in a row before a mailing pauses itself, and how long a claimed batch is held.
URGENT_MAIL_RATE = env.mail_rate()
URGENT_MAIL_CONNECTIONS = env.mail_connections()
URGENT_MAIL_BOUNCE_LIMIT = env.mail_bounce_limit()
URGENT_MAIL_REFUSAL_LIMIT = env.mail_refusal_limit()
URGENT_MAIL_LEASE_SECONDS = env.mail_lease_seconds()
# DKIM signing of bulk mail: (key file, selector) or None to leave signing to the MTA.
URGENT_DKIM = env.dkim()

# Federation (urgent.federation; docs/federation.md). Other instances on private or loopback
# addresses are refused unless this is set (tests, a private network of instances); the name
# this instance gives itself defaults to its first organisation's.
URGENT_FEDERATION_ALLOW_PRIVATE = env.federation_allow_private()
URGENT_FEDERATION_NAME = env.federation_name()
