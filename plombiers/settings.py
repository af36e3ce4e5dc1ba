"""Plombiers settings: one file, read from the environment.

Defaults let a fresh clone run on an embedded SQLite database in the working
directory; production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and friends.
"""

import datetime as dt
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from plombiers.lib.private_files import DIR_MODE, FILE_MODE, narrow, private_empty_file, private_file, secret

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("PLOMBIERS_DATA_DIR", Path.cwd())).resolve()

TRUE, FALSE = {"1", "true", "yes", "on", "oui"}, {"0", "false", "no", "off", "non", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no variable; anything else (`ture`, `enabled`) stops the start: a typo never turns a
    setting off silently."""
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in TRUE:
        return True
    if value.strip().lower() in FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} n'est pas un booléen : écrire true ou false (aussi 1/0, yes/no, on/off, oui/non)."
    )


# PLOMBIERS_ENV=production: the settings refuse to start without the secrets and addresses a real
# installation needs (see `_production_problems`), instead of making the demo's key files in the
# working directory; HTTPS only, HSTS, secure cookies. Anything else is the demo or a developer's.
ENVIRONMENTS = {"production", "development"}
PLOMBIERS_ENV = os.environ.get("PLOMBIERS_ENV", "development").strip().lower()
if PLOMBIERS_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"PLOMBIERS_ENV={PLOMBIERS_ENV!r} : valeur inconnue, écrire production ou development."
    )
PRODUCTION = PLOMBIERS_ENV == "production"

# Every secret is read by `secret(NAME)`: the variable NAME, else the file named by NAME_FILE
# (a secret mounted outside the data folder). SECRET_KEY, DATABASE_URL, EMAIL_HOST_PASSWORD,
# SENTRY_DSN here; FERNET_KEYS in plombiers/privacy/crypto.py.


def _secret_key() -> str:
    """SECRET_KEY (or SECRET_KEY_FILE), else — outside production only — a git-ignored file of the
    data folder made on first run (the demo's), readable by its owner only."""
    if PRODUCTION:
        return secret("SECRET_KEY") or ""  # refused below when missing
    return (
        secret("SECRET_KEY")
        or private_file(DATA_DIR / ".secret_key", lambda: secrets.token_urlsafe(50)).strip()
    )


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver").split(
        ","
    )
    if h.strip()
]
SITE_URL = os.environ.get("SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").strip().rstrip("/")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
if SITE_URL.startswith("https://") and SITE_URL not in CSRF_TRUSTED_ORIGINS:
    CSRF_TRUSTED_ORIGINS.append("https://" + urlsplit(SITE_URL).netloc)

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
    "plombiers.frameworks",
    "plombiers.invitations",
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
    "plombiers.imports",
    "plombiers.homes",
    "plombiers.rights",
    "plombiers.offer",
    "plombiers.calendars",
    "plombiers.webhooks",
    "plombiers.search",
    "plombiers.demo",
    "plombiers.bench",
    "plombiers.catalogue",
    "plombiers.openings",
]

MIDDLEWARE = [
    "plombiers.requestlog.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "plombiers.accounts.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages (they say why a session ended); both act before any view.
    "plombiers.accounts.middleware.SessionTimeoutMiddleware",
    "plombiers.accounts.middleware.MFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Marks the young person's planning and attestations for their offline copy (issue 21).
    "plombiers.homes.pwa.OfflineMarkMiddleware",
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
                "plombiers.accounts.context_processors.mfa_prompt",
                "plombiers.lib.navigation.current_page",
            ],
            # `{% load slots %}`: the page blocks a higher app contributes (plombiers/lib/slots.py).
            "libraries": {"status": "plombiers.templatetags.status", "slots": "plombiers.lib.slots"},
            "builtins": ["plombiers.french"],
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
# Argon2 first: memory-hard, Django's recommended hasher. PBKDF2 stays after it so that the hashes
# stored before are still checked, and rehashed with Argon2 at the next login. Its costs (OWASP's
# 19 MiB, 2 passes, 1 lane: ≈1 GB for 50 logins at once) are explained in accounts/hashers.py.
PASSWORD_HASHERS = [
    "plombiers.accounts.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
PLOMBIERS_ARGON2 = {
    "time_cost": int(os.environ.get("ARGON2_TIME_COST", "2")),
    "memory_cost_kib": int(os.environ.get("ARGON2_MEMORY_KIB", "19456")),
    "parallelism": int(os.environ.get("ARGON2_PARALLELISM", "1")),
}
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
# Failed logins are counted by Plombiers' own throttle (accounts/throttle.py), shared by the login
# form, the admin, the second factor and the API: allauth's cache-based limits on logins are off
# (under 50 logins at once they refused correct passwords, issue 16).
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": None}
PLOMBIERS_LOGIN_THROTTLE = {
    "window_minutes": int(os.environ.get("LOGIN_THROTTLE_WINDOW_MINUTES", "15")),
    # Failures of one account from one address before that pair is refused.
    "pair_failures": int(os.environ.get("LOGIN_THROTTLE_PAIR_FAILURES", "5")),
    # Failures from one address before it is refused for the accounts it has been failing on.
    "address_failures": int(os.environ.get("LOGIN_THROTTLE_ADDRESS_FAILURES", "30")),
    # Failures from one address, or of one account, before only known addresses may try it.
    "address_spray_failures": int(os.environ.get("LOGIN_THROTTLE_ADDRESS_SPRAY_FAILURES", "100")),
    "account_failures": int(os.environ.get("LOGIN_THROTTLE_ACCOUNT_FAILURES", "20")),
    "known_address_days": int(os.environ.get("LOGIN_THROTTLE_KNOWN_ADDRESS_DAYS", "30")),
}
# Behind a reverse proxy, the number of proxies that append to X-Forwarded-For: the throttle counts
# per client address, not per proxy. One by default behind a proxy (BEHIND_PROXY): left at 0, every
# visitor would be the proxy's address, and five wrong passwords from anywhere would lock an account
# for everyone.
ALLAUTH_TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT", "1" if env_bool("BEHIND_PROXY") else "0")
)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Plombiers"
# The code of the previous (and next) 30-second step is accepted too, as RFC 6238 (§5.2) recommends
# for the time it takes to type and send it: with none, a code read at 0:29 and sent at 0:31 was
# refused. A used code stays refused for the whole window (allauth marks it for 3 steps).
MFA_TOTP_TOLERANCE = 1
MFA_ADAPTER = "plombiers.accounts.adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "plombiers.accounts.forms.MFAAuthenticateForm",
    "reauthenticate": "plombiers.accounts.forms.MFAReauthenticateForm",
}
# Days after the first login without it before two-factor authentication is enforced for the roles
# that read personal data (accounts/mfa.py).
PLOMBIERS_MFA_GRACE_DAYS = int(os.environ.get("MFA_GRACE_DAYS", "14"))
# How long the link of an invitation to join the team holds (plombiers/invitations).
PLOMBIERS_INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "7"))
# API tokens: days of validity by default and at most.
PLOMBIERS_API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
PLOMBIERS_API_TOKEN_MAX_DAYS = int(os.environ.get("API_TOKEN_MAX_DAYS", "365"))
# Sessions (accounts/sessions.py): staff on shared school computers, learners on their phones.
PLOMBIERS_SESSION_TIMEOUTS = {
    "staff": {
        "idle": dt.timedelta(minutes=int(os.environ.get("SESSION_STAFF_IDLE_MINUTES", "120"))),
        "absolute": dt.timedelta(hours=int(os.environ.get("SESSION_STAFF_ABSOLUTE_HOURS", "12"))),
    },
    "learner": {
        "idle": dt.timedelta(days=int(os.environ.get("SESSION_LEARNER_IDLE_DAYS", "30"))),
        "absolute": dt.timedelta(days=int(os.environ.get("SESSION_LEARNER_ABSOLUTE_DAYS", "90"))),
    },
}
# The cookie and the stored session live as long as the longest idle limit; the middleware ends
# the shorter ones.
SESSION_COOKIE_AGE = int(max(p["idle"] for p in PLOMBIERS_SESSION_TIMEOUTS.values()).total_seconds())

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
# /healthz?deep=1 fails when more than HEALTHZ_LATE_TASKS tasks have waited longer than these
# minutes for a worker, or when a task has been running for longer than those.
HEALTHZ_TASK_WAIT_MINUTES = int(os.environ.get("HEALTHZ_TASK_WAIT_MINUTES", "15"))
HEALTHZ_LATE_TASKS = int(os.environ.get("HEALTHZ_LATE_TASKS", "0"))
HEALTHZ_TASK_RUNNING_MINUTES = int(os.environ.get("HEALTHZ_TASK_RUNNING_MINUTES", "60"))
# A worker writes its heartbeat every few seconds; a task whose worker died (its process gone, or
# on another machine no heartbeat for STALE seconds) is queued again, at most MAX_ATTEMPTS starts.
PLOMBIERS_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))
PLOMBIERS_WORKER_STALE_SECONDS = float(os.environ.get("WORKER_STALE_SECONDS", "120"))
PLOMBIERS_WORKER_REQUEUE_SECONDS = float(os.environ.get("WORKER_REQUEUE_SECONDS", "60"))
PLOMBIERS_TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "3"))
# Webhooks (plombiers/webhooks): may a subscription target this machine or a private network (http
# to localhost, private addresses)? Only for development and the tests: the SSRF guard otherwise.
PLOMBIERS_WEBHOOKS_ALLOW_LOCAL = env_bool("WEBHOOKS_ALLOW_LOCAL", DEBUG)

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
# `collectstatic` writes each file under a name carrying its hash (served with a cache of one
# year, `immutable`) beside its gzip and brotli versions, which WhiteNoise serves to the browsers
# that accept them: Bootstrap's CSS is 232 KB, 23 KB in brotli. `make demo` runs collectstatic;
# the tests read the files from the apps' folders (plombiers/conftest.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
# Uploads (medical certificates, evidence photos, signed agreements) and generated documents:
# readable by the application's user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
narrow(MEDIA_ROOT, DIR_MODE)  # a folder made before these modes: closed to others, files and all

# The schools' Ed25519 signing keys (attestations): files outside the database, one directory
# per school, readable only by the application. Production mounts a secret volume here.
# In production the folder is named explicitly and must exist (never made beside the data).
_credential_keys = os.environ.get("CREDENTIAL_KEYS_DIR", "" if PRODUCTION else DATA_DIR / "credential_keys")
CREDENTIAL_KEYS_DIR = Path(_credential_keys)
if _credential_keys:
    narrow(CREDENTIAL_KEYS_DIR, DIR_MODE)  # made 0700 by plombiers/credentials/keys.py
# Uploaded files are never served directly: views check permissions and stream them.
MEDIA_URL = "/media-protege/"
# Only what collectstatic wrote (compressed, hashed); the apps' folders while debugging.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Security headers and cookies. In production: HTTPS only (the health checks excepted, asked over
# plain HTTP on the machine itself), HSTS for a year with the subdomains, and cookies sent over
# HTTPS only. Behind a reverse proxy (BEHIND_PROXY), its X-Forwarded-Proto says HTTPS.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_PROXY = env_bool("BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
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
        # The young person's space: its service worker and manifest, from the site only (issue 21).
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
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

# Logs: one line per event on the standard output (journald, docker logs), each with the id of the
# request it belongs to (plombiers/requestlog.py; an incoming X-Request-ID is kept, so the reverse
# proxy's access log and ours share it). A server error is also mailed to ADMINS
# ("Nom <adresse>, …"), and sent to Sentry when SENTRY_DSN is set (extra `sentry`).
ADMINS = [
    (name.strip() or address, address)
    for name, address in (
        (part.split("<")[0], part.split("<")[-1].rstrip("> ").strip())
        for part in os.environ.get("ADMINS", "").split(",")
        if part.strip()
    )
]
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[Plombiers] "
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "plombiers.requestlog.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "line": {
            "()": "plombiers.requestlog.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "line",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("LOG_LEVEL", "INFO" if PRODUCTION else "WARNING"),
    },
    "loggers": {
        # Server errors: on the console through the root logger, and by e-mail.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
    },
}

SENTRY_DSN = secret("SENTRY_DSN")
if SENTRY_DSN:
    from plombiers.requestlog import sentry_init

    sentry_init(SENTRY_DSN, environment=PLOMBIERS_ENV)

# Impact: from this many schools, a funder's figures are protected table by table, without a common
# base (`impact.secrecy`); the dashboards read the rollup kept at every write whatever the size.
IMPACT_ROLLUP_FROM_SCHOOLS = int(os.environ.get("IMPACT_ROLLUP_FROM_SCHOOLS", "100"))


# --- production: refuse to start rather than run on a demo's defaults -----------------------------


def _production_problems() -> list[str]:
    """What a production start lacks, each named by its variable, in French."""
    problems = []
    if DEBUG:
        problems.append("DEBUG doit être désactivé (DEBUG=false) : il affiche le code et les données.")
    if not SECRET_KEY:
        problems.append("SECRET_KEY (ou SECRET_KEY_FILE) manque : la clé secrète de Django.")
    elif len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
        problems.append("SECRET_KEY est trop faible : 50 caractères aléatoires au moins.")
    if not secret("FERNET_KEYS"):
        problems.append("FERNET_KEYS (ou FERNET_KEYS_FILE) manque : les clés de chiffrement des textes.")
    if not _credential_keys:
        problems.append(
            "CREDENTIAL_KEYS_DIR manque : le dossier des clés de signature des attestations (un volume secret)."
        )
    elif not CREDENTIAL_KEYS_DIR.is_dir():
        problems.append(f"CREDENTIAL_KEYS_DIR={CREDENTIAL_KEYS_DIR} n'existe pas ou n'est pas un dossier.")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS manque : le ou les noms d'hôte servis (plombiers.exemple.fr).")
    elif "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS ne peut pas contenir « * » : nommer les hôtes servis.")
    if not SITE_URL.startswith("https://") or not urlsplit(SITE_URL).netloc:
        problems.append(f"SITE_URL={SITE_URL!r} doit être l'adresse publique en https:// (liens, QR codes).")
    return problems


if PRODUCTION and (_problems := _production_problems()):
    raise ImproperlyConfigured(
        "Plombiers refuse de démarrer en production (PLOMBIERS_ENV=production) :\n- "
        + "\n- ".join(_problems)
        + "\nVoir docs/deploy.md."
    )
