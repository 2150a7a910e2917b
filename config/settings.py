"""The one settings module. Every value comes from the environment (see README, "Configuration").

With nothing set, Longcode runs on its embedded default: SQLite and a file-system Celery broker
under ``var/``. ``LONGCODE_ENV=production`` turns on the production checks: a ``SECRET_KEY`` is
required, ``DEBUG`` must be off and ``ALLOWED_HOSTS`` must be given.
"""

import os
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.carrier_knobs import knobs_from
from config.durations import parse_duration
from config.mailers import mailers_from_url
from config.test_workers import SHIFTED_FOR, broker_url_for_test_worker
from config.whole_numbers import positive_int

# Lets admin and other generic classes be subscripted at run time (ModelAdmin[Office]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

LONGCODE_ENV = env.str("LONGCODE_ENV", default="development")
if LONGCODE_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"LONGCODE_ENV must be development, test or production, not {LONGCODE_ENV!r}."
    )
PRODUCTION = LONGCODE_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "DEBUG is on while LONGCODE_ENV=production: it would show tracebacks and settings "
        "to anyone. Unset DEBUG (or set DEBUG=false)."
    )
if PRODUCTION:
    if not env.str("SECRET_KEY", default=""):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production needs its own long random secret, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
# Earlier keys, still accepted after a rotation (sessions, password resets, invite links).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "import_export",
    "axes",
    "accounts",
    "offices",
    "inboxes",
    "phone_numbers",
    "provisioning",
    "campaigns",
    "texting",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "offices.middleware.TenantMiddleware",
    # Last: turns a sign-in refused for too many failures into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "offices.context_processors.tenant",
            ],
            "builtins": ["offices.templatetags.times"],
        },
    },
    {
        # Parts of pages where Django's templates cost more than the rest of the request
        # (config/jinja2.py); found by engines["jinja2"], never by a name alone.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "config.jinja2.environment"},
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'longcode.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait for the lock instead of failing, and take the
    # write lock at BEGIN so two writers never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    # Production keeps each process's connection between requests: opening one costs more than
    # most pages (an empty view served ~140 req/s with a connection per request, ~720 with
    # persistent ones), and the health check drops one the server has closed before a request
    # uses it. Celery workers close theirs before and after every task (celery's Django fixup,
    # CELERY_DB_REUSE_MAX unset), so a worker never holds a stale one.
    DATABASES["default"].setdefault(
        "CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
    )
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before the password is checked.
    "accounts.limits.SignInLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins (accounts.limits): after 5 for one account, or 5 from one address (either
# one), that account or address is refused for 15 minutes, with a message and status 429.
# `manage.py axes_reset` lifts every lockout; axes_reset_username / axes_reset_ip lift one.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Per account and per address; per address alone for an attempt that names no account.
AXES_LOCKOUT_PARAMETERS = "accounts.limits.lockout_parameters"
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field (the e-mail address)
AXES_USERNAME_CALLABLE = "accounts.limits.sign_in_username"
AXES_LOCKOUT_CALLABLE = "accounts.limits.locked_out_response"
AXES_RESET_ON_SUCCESS = True
# A password-reset link works this long, and once (Django's token).
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
# Password-reset e-mails asked for (accounts/reset_limits.py): per e-mail address and per
# client address, in fixed one-hour windows; past either, 429 with the form and no e-mail.
RESET_REQUESTS_PER_EMAIL = "3/h"
RESET_REQUESTS_PER_ADDRESS = "10/h"
RATELIMIT_CACHE_PREFIX = "rl:"  # django-ratelimit's counts, under the cache's own prefix
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if LONGCODE_ENV == "test":
    # Hashing a password properly takes ~0.3 s on purpose; the suite signs in hundreds of times.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-us"
# The server's clock (logs, the admin, commands without an organization). Pages and e-mails
# show each organization's own zone (Organization.time_zone, activated by the tenant middleware).
TIME_ZONE = "UTC"
# One format for every time shown, with its zone named.
FORMAT_MODULE_PATH = ["config.formats"]
# English only: without the translation machinery every label and date renders faster.
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic writes (the production image builds it at var/staticfiles).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# A contacts file waits here between its preview and its confirmation (an hour at most); the
# web and the worker (which deletes expired previews) must both see this folder.
CONTACTS_UPLOAD_DIR = VAR_DIR / "uploads"
# Outside production WhiteNoise serves straight from the app folders; no collectstatic needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# --- E-mail -------------------------------------------------------------------------------
# Production must say where mail goes; elsewhere it is printed on the console.
MAILERS = mailers_from_url(env, default=None if PRODUCTION else "consolemail://")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Longcode <no-reply@longcode.test>")
# Absolute links in e-mails (clone link, assignment link) start with this.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if LONGCODE_ENV == "test" and xdist_worker and os.environ.get(SHIFTED_FOR) != xdist_worker:
    # The suite in parallel: a broker of each pytest process's own (config.test_workers).
    # Celery reads its broker from the environment before the settings, and processes the
    # tests start inherit it: both get the shifted URL, marked so that it is shifted once.
    CELERY_BROKER_URL = broker_url_for_test_worker(CELERY_BROKER_URL, xdist_worker)
    os.environ.update({"CELERY_BROKER_URL": CELERY_BROKER_URL, SHIFTED_FOR: xdist_worker})
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's own file-system transport can hand the worker a half-written message; this one
    # writes each message atomically (config/broker.py).
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
    _queue_dir = VAR_DIR / "celery" / "queue"
    _control_dir = VAR_DIR / "celery" / "control"
    # The file-system broker needs its folders before anything (a command too) sends a task.
    for _folder in (_queue_dir, _control_dir, VAR_DIR / "celery" / "processed"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_control_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # With late acks, Redis hands a task that was taken but never acknowledged (its worker was
    # killed) to another worker after the visibility timeout — by default an hour, during which
    # a lost submit just waits. It must stay longer than a task may run
    # (CELERY_TASK_TIME_LIMIT) plus the longest countdown our retries use (a submit's backoff,
    # at most 300 s), or a task still running or waiting would be delivered twice: four time
    # limits (20 min).
    # The beat sweeps (lost submits, unconfirmed releases, due e-mails and texts) are the
    # backstop.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * CELERY_TASK_TIME_LIMIT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Cache --------------------------------------------------------------------------------
# Holds the password-reset request counts (accounts/reset_limits.py, django-ratelimit), which
# every web process must share. With a Redis broker it is that Redis server and database (its
# keys under "longcode:", apart from Celery's); on the embedded default (file-system broker,
# SQLite) a folder under var/, which the processes of one machine share.
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CELERY_BROKER_URL,
            "KEY_PREFIX": "longcode",
        }
    }
elif CELERY_BROKER_URL.startswith("filesystem://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
else:  # memory://: web and worker are one process (the SQLite smoke run)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Provisioning -------------------------------------------------------------------------
CARRIER_ADAPTER = env.str(
    "CARRIER_ADAPTER", default="provisioning.carriers.simulated.SimulatedCarrier"
)
PROVISIONING_POLL_SECONDS = positive_int(env, "PROVISIONING_POLL_SECONDS", 10)
PROVISIONING_MAX_ATTEMPTS = positive_int(env, "PROVISIONING_MAX_ATTEMPTS", 5)
PROVISIONING_ATTEMPT_DEADLINE: timedelta = parse_duration(
    "PROVISIONING_ATTEMPT_DEADLINE", env.str("PROVISIONING_ATTEMPT_DEADLINE", default="72h")
)
PROVISIONING_BATCH_SIZE = positive_int(env, "PROVISIONING_BATCH_SIZE", 100)
NUMBERS_PER_USE_CASE = positive_int(env, "NUMBERS_PER_USE_CASE", 49)

SIMULATED_CARRIER_SEED = env.int("SIMULATED_CARRIER_SEED", default=0)
SIMULATED_CARRIER_LATENCY = env.str("SIMULATED_CARRIER_LATENCY", default="5-30")
SIMULATED_CARRIER_FAIL_AREA_CODES = env.list("SIMULATED_CARRIER_FAIL_AREA_CODES", default=["999"])
SIMULATED_CARRIER_FLAKY_AREA_CODES = env.str("SIMULATED_CARRIER_FLAKY_AREA_CODES", default="998:2")
SIMULATED_CARRIER_EMPTY_AREA_CODES = env.list("SIMULATED_CARRIER_EMPTY_AREA_CODES", default=["000"])
SIMULATED_CARRIER_ERROR_RATE = env.float("SIMULATED_CARRIER_ERROR_RATE", default=0.0)
# Contact numbers (E.164, comma-separated) whose messages the simulated carrier fails to deliver.
SIMULATED_CARRIER_UNDELIVERABLE = env.list("SIMULATED_CARRIER_UNDELIVERABLE", default=[])
# Signs the simulated carrier's inbound and status webhooks; only the simulator uses it.
SIMULATED_CARRIER_WEBHOOK_SECRET = env.str(
    "SIMULATED_CARRIER_WEBHOOK_SECRET", default="simulated-carrier-development-secret"
)
# A malformed knob stops start-up here, with a message that says how to write it.
knobs_from(SimpleNamespace(**{k: v for k, v in globals().items() if k.startswith("SIMULATED_")}))

CELERY_BEAT_SCHEDULE = {
    "poll-provisioning": {
        "task": "provisioning.tasks.poll_provisioning",
        "schedule": float(PROVISIONING_POLL_SECONDS),
    },
    "deliver-outbox": {
        "task": "notifications.tasks.deliver_pending",
        "schedule": 30.0,
    },
    # Queued texts whose delivery task was lost or interrupted (provisioning.delivery).
    "deliver-queued-messages": {
        "task": "provisioning.tasks.deliver_queued",
        "schedule": 30.0,
    },
    "expire-contacts-previews": {
        "task": "campaigns.tasks.contacts_previews_expire",
        "schedule": 600.0,
    },
    # Inbound texts whose routing task never ran (the broker was down at commit, say).
    "route-pending-inbound": {
        "task": "texting.tasks.route_pending",
        "schedule": 60.0,
    },
}

# --- Twilio (CARRIER_ADAPTER=provisioning.carriers.twilio.TwilioCarrier) -----------------
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
# The Messaging Service whose US A2P 10DLC campaign registers the numbers in its sender pool.
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
# Where Twilio calls back with a sent message's delivery status (our /hooks/twilio/status/).
TWILIO_STATUS_CALLBACK_URL = env.str("TWILIO_STATUS_CALLBACK_URL", default="")
# Twilio's hosts; the contract tests point them at Prism serving Twilio's OpenAPI specs.
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="https://api.twilio.com")
TWILIO_MESSAGING_BASE_URL = env.str(
    "TWILIO_MESSAGING_BASE_URL", default="https://messaging.twilio.com"
)
if PRODUCTION and CARRIER_ADAPTER.endswith(".TwilioCarrier"):
    _missing = [
        name
        for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_MESSAGING_SERVICE_SID")
        if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(
            f"CARRIER_ADAPTER names Twilio but {', '.join(_missing)} is not set: the adapter "
            "cannot buy, register or release numbers without them."
        )

# --- Content-Security-Policy (every page) ------------------------------------------------
# Scripts and styles only from our own static files: no inline <script>, style or on*= handler,
# no eval (htmx is told neither to evaluate nor to inject its indicator style, see base.html).
# The e-mails' style="" attributes are not pages. Pico's select arrows are data: SVG images.
SECURE_CSP: dict[str, list[str] | bool] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Production hardening (checked by `manage.py check --deploy`) ------------------------
if PRODUCTION:
    # Behind TLS, a stray http:// link on a page is fetched over https instead.
    SECURE_CSP["upgrade-insecure-requests"] = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# One line format, with one clock, for web, worker and beat alike (Celery's own setting below).
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": LOG_FORMAT}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # runserver's request lines, which Django otherwise prints with a clock of their own.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # The twilio package logs every request and answer (headers included) at INFO.
        "twilio.http_client": {"level": "WARNING"},
        # Successful sign-ins are not news; failures and lockouts (WARNING) still show.
        "axes": {"level": "WARNING"},
    },
}
CELERY_WORKER_LOG_FORMAT = LOG_FORMAT
CELERY_WORKER_TASK_LOG_FORMAT = "%(asctime)s %(levelname)s %(task_name)s[%(task_id)s]: %(message)s"
