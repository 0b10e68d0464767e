"""Aftercare settings: one file, driven by environment variables (see README: Configuration).

SQLite with an in-process worker by default; DATABASE_URL switches to PostgreSQL and REDIS_URL
moves tasks (RQ), the channel layer and the cache to Redis.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from aftercare.env import env_bool, env_int, env_list, env_parsed, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("AFTERCARE_DATA_DIR", str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)  # SQLite cannot create its own directory

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (use a long random string, "
            "or set DEBUG=1 on a development machine)."
        )
    SECRET_KEY = "aftercare-development-only-not-secret"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" + (",*" if DEBUG else ""))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "aftercare.core",
    "aftercare.merchants",
    "aftercare.commerce",
    "aftercare.policies",
    "aftercare.returns",
    "aftercare.assistant",
    "aftercare.refunds",
    "aftercare.notifications",
    "aftercare.conversations",
    "aftercare.tickets",
    "aftercare.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "aftercare.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "aftercare.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aftercare.web.context.console",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------


def _database_from_url(url: str) -> dict:
    scheme = urlparse(url).scheme
    if scheme not in {"postgres", "postgresql", "sqlite"}:
        raise ValueError("only postgres:// and sqlite:// URLs are supported")
    config: dict = dict(
        dj_database_url.parse(url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.update(_sqlite_options(config["NAME"]))
    elif pool_size := env_int("DATABASE_POOL_SIZE", 0, maximum=1000):
        config.update(_postgres_pool(pool_size, config))
    if config["ENGINE"] != "django.db.backends.sqlite3" and env_bool(
        "DATABASE_PREPARED_STATEMENTS", True
    ):
        config.update(_postgres_prepared(config))
    return config


PREPARE_AFTER = 5


def _postgres_prepared(config: dict) -> dict:
    # Parameters sent apart from the SQL, and a statement run PREPARE_AFTER times on a
    # connection prepared there: PostgreSQL stops re-planning the hot statements (case
    # creation's order lock took ~0.9 ms to plan, ~0.4 ms to run) and psycopg stops quoting
    # every value into the SQL text in Python. Django leaves both off for poolers in
    # transaction mode: turn DATABASE_PREPARED_STATEMENTS off behind pgbouncer before 1.21.
    return {
        "OPTIONS": {
            **config.get("OPTIONS", {}),
            "server_side_binding": True,
            "prepare_threshold": PREPARE_AFTER,
        }
    }


def _postgres_pool(size: int, config: dict) -> dict:
    # Under ASGI each request may run in a different thread, so persistent connections pile
    # up per thread; a psycopg pool per process keeps a few connections open and lends one to
    # each request instead of connecting anew every time (Django requires CONN_MAX_AGE=0).
    if config.get("CONN_MAX_AGE"):
        raise ImproperlyConfigured(
            "DATABASE_POOL_SIZE needs DATABASE_CONN_MAX_AGE=0: a pooled connection goes back "
            "to the pool at the end of each request."
        )
    min_size = min(2, size)
    return {
        "OPTIONS": {
            **config.get("OPTIONS", {}),
            "pool": {"min_size": min_size, "max_size": size, "timeout": 10},
        }
    }


def _sqlite_options(path: str | Path) -> dict:
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock when a
    # transaction starts, so two writers queue on the busy timeout instead of one failing
    # with "database is locked" halfway through.
    return {
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
    }


DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    _db = env_parsed(
        "DATABASE_URL", DATABASE_URL, _database_from_url, "a postgres:// or sqlite:// URL"
    )
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        **_sqlite_options(DATA_DIR / "aftercare.sqlite3"),
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: tasks, channel layer, cache ------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and urlparse(REDIS_URL).scheme not in {"redis", "rediss"}:
    raise ImproperlyConfigured(f"REDIS_URL must be a redis:// or rediss:// URL; got {REDIS_URL!r}.")

if REDIS_URL:
    INSTALLED_APPS += ["django_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env_str("REDIS_PREFIX", "aftercare")},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("REDIS_PREFIX", "aftercare"),
        }
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth, i18n, static --------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("zh-hant", "繁體中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown time zone") from None
    return name


TIME_ZONE = env_parsed("TIME_ZONE", "UTC", _zone, "an IANA time zone such as Asia/Shanghai")

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "media/"

# --- Security behind a proxy ----------------------------------------------------------------

if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Aftercare ------------------------------------------------------------------------------

PORT = env_int("PORT", 8000, minimum=1, maximum=65535)
# The outbound HTTP client refuses private/loopback addresses (SSRF) unless this is on;
# tests and single-machine installs that talk to local services turn it on.
OUTBOUND_ALLOW_PRIVATE = env_bool("OUTBOUND_ALLOW_PRIVATE", False)
OUTBOUND_TIMEOUT_SECONDS = env_int("OUTBOUND_TIMEOUT_SECONDS", 10, minimum=1, maximum=120)
API_MAX_BATCH = 1000

# Email for notifications (SMTP through Django's backend); merchants set their own From.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL, not both.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1, maximum=120)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "aftercare@localhost")


def _log_level(name: str) -> str:
    level = name.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("unknown level")
    return level


LOG_LEVEL = env_parsed("LOG_LEVEL", "INFO", _log_level, "DEBUG, INFO, WARNING, ERROR or CRITICAL")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
