"""Plombiers settings: one file, read from the environment.

Defaults let a fresh clone run on an embedded SQLite database in the working
directory; production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and friends.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

from plombiers.lib.private_files import DIR_MODE, FILE_MODE, narrow, private_empty_file, private_file, secret

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("PLOMBIERS_DATA_DIR", Path.cwd())).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


# Every secret is read by `secret(NAME)`: the variable NAME, else the file named by NAME_FILE
# (a secret mounted outside the data folder). SECRET_KEY, DATABASE_URL, EMAIL_HOST_PASSWORD here;
# FERNET_KEYS in plombiers/support/crypto.py.


def _secret_key() -> str:
    """SECRET_KEY (or SECRET_KEY_FILE), else a git-ignored file of the data folder made on first
    run (the demo's), readable by its owner only."""
    return (
        secret("SECRET_KEY")
        or private_file(DATA_DIR / ".secret_key", lambda: secrets.token_urlsafe(50)).strip()
    )


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    # Before django_tasks_db: its `db_worker` command is ours (heartbeats, dead workers' tasks
    # queued again — plombiers/operations/worker.py).
    "plombiers.operations",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ninja",
    "plombiers.accounts",
    "plombiers.privacy",
    "plombiers.network",
    "plombiers.referrals",
    "plombiers.cohorts",
    "plombiers.skills",
    "plombiers.support",
    "plombiers.alerts",
    "plombiers.documents",
    "plombiers.surveys",
    "plombiers.internships",
    "plombiers.credentials",
    "plombiers.outcomes",
    "plombiers.funding",
    "plombiers.impact",
    "plombiers.demo",
    "plombiers.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "plombiers.accounts.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "plombiers.urls"
FORM_RENDERER = "plombiers.forms.FormRenderer"
WSGI_APPLICATION = "plombiers.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "plombiers.accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        secret("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'plombiers.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}


def _private_sqlite(name: str) -> None:
    """SQLite makes its file with the umask's mode (0644: world-readable), and its -wal and -shm
    files with the database's mode: the file is made 0600 before SQLite opens it."""
    if name and name != ":memory:" and not name.startswith("file:"):
        private_empty_file(Path(name))
        for suffix in ("-wal", "-shm", "-journal"):
            narrow(Path(name + suffix), FILE_MODE)


if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _private_sqlite(str(DATABASES["default"]["NAME"]))
    # WAL and a busy timeout: the web server and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache in the database: several processes share login throttling counters.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "plombiers_cache",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: e-mail login, no open sign-up (accounts are created by the network).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "plombiers.accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Plombiers"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Plombiers <ne-pas-repondre@plombiers.example>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = secret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# A worker writes its heartbeat every few seconds; a task whose worker died (its process gone, or
# on another machine no heartbeat for STALE seconds) is queued again, at most MAX_ATTEMPTS starts.
PLOMBIERS_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))
PLOMBIERS_WORKER_STALE_SECONDS = float(os.environ.get("WORKER_STALE_SECONDS", "120"))
PLOMBIERS_WORKER_REQUEUE_SECONDS = float(os.environ.get("WORKER_REQUEUE_SECONDS", "60"))
PLOMBIERS_TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "3"))

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
# Uploads (medical certificates, evidence photos, signed agreements) and generated documents:
# readable by the application's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
narrow(MEDIA_ROOT, DIR_MODE)  # a folder made before these modes: closed to others, files and all

# The schools' Ed25519 signing keys (attestations): files outside the database, one directory
# per school, readable only by the application. Production mounts a secret volume here.
CREDENTIAL_KEYS_DIR = Path(os.environ.get("CREDENTIAL_KEYS_DIR", DATA_DIR / "credential_keys"))
narrow(CREDENTIAL_KEYS_DIR, DIR_MODE)  # made 0700 by plombiers/credentials/keys.py
# Uploaded files are never served directly: views check permissions and stream them.
MEDIA_URL = "/media-protege/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Security headers and cookies.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

PLOMBIERS_PAGE_SIZE = 25
# Eligibility rules of the network (see plombiers/referrals/eligibility.py for the defaults).
PLOMBIERS_ELIGIBILITY = {
    "min_age": int(os.environ.get("ELIGIBILITY_MIN_AGE", "16")),
    "max_age": int(os.environ.get("ELIGIBILITY_MAX_AGE", "25")),
    "max_age_rqth": int(os.environ.get("ELIGIBILITY_MAX_AGE_RQTH", "29")),
    "max_diploma_level": int(os.environ.get("ELIGIBILITY_MAX_DIPLOMA_LEVEL", "3")),
}

# Minutes a signing code shown by the trainer stays valid for the learners' phones.
PLOMBIERS_SIGNING_CODE_MINUTES = int(os.environ.get("SIGNING_CODE_MINUTES", "10"))
# Wrong codes a learner may type per half-day before their code is locked until the trainer shows
# a new one; and wrong codes from one address over some minutes before it is refused (a school's
# Wi-Fi is one address for the whole class).
PLOMBIERS_SIGNING_CODE_MAX_ATTEMPTS = int(os.environ.get("SIGNING_CODE_MAX_ATTEMPTS", "5"))
PLOMBIERS_SIGNING_CODE_ADDRESS_LIMIT = (
    int(os.environ.get("SIGNING_CODE_ADDRESS_ATTEMPTS", "30")),
    int(os.environ.get("SIGNING_CODE_ADDRESS_MINUTES", "10")),
)

# Drop-out early-warning rules (Qualiopi indicator 12), computed daily; see plombiers/alerts/rules.py.
# Each rule can be switched off ("enabled": False); the alert list explains them to the team.
PLOMBIERS_ALERT_RULES = {
    "absences": {
        "enabled": env_bool("ALERT_ABSENCES", True),
        "count": int(os.environ.get("ALERT_ABSENCES_COUNT", "2")),
        "half_days": int(os.environ.get("ALERT_ABSENCES_HALF_DAYS", "5")),
    },
    "retards": {
        "enabled": env_bool("ALERT_LATENESS", True),
        "count": int(os.environ.get("ALERT_LATENESS_COUNT", "3")),
        "days": int(os.environ.get("ALERT_LATENESS_DAYS", "7")),
    },
    "frein_bloquant": {
        "enabled": env_bool("ALERT_BLOCKING_BARRIER", True),
        "days": int(os.environ.get("ALERT_BLOCKING_BARRIER_DAYS", "21")),
    },
}
# Days a convention-signing or tutor-evaluation link stays valid.
PLOMBIERS_INTERNSHIP_LINK_DAYS = int(os.environ.get("INTERNSHIP_LINK_DAYS", "14"))
# Days a party's link still reads the signed convention after the last signature (then: log in).
PLOMBIERS_CONVENTION_READ_DAYS = int(os.environ.get("CONVENTION_READ_DAYS", "30"))
# Days a satisfaction survey link stays valid.
PLOMBIERS_SURVEY_LINK_DAYS = int(os.environ.get("SURVEY_LINK_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Impact: from this many schools in a scope (a national network, the State as a funder), the
# dashboards read the rollup recomputed every night (`impact.rollup`) instead of the records.
IMPACT_ROLLUP_FROM_SCHOOLS = int(os.environ.get("IMPACT_ROLLUP_FROM_SCHOOLS", "100"))
