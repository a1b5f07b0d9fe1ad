"""Settings for Newsroom, read from the environment (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import html_tags
from js_asset import static_lazy

from newsroom.site import sender_address

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# Production refuses to start without a real secret; only DEBUG gets a throwaway one. Read as
# is: django-environ would take a key starting with "$" for the name of another variable.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "newsroom.apps.NewsroomConfig",  # the sessions, read with their user
    "newsroom.apps.AdminConfig",  # django.contrib.admin, whose home page is the desk's
    "django.contrib.auth",
    "django.contrib.contenttypes",
    # Its clearsessions command, for the sessions of newsroom.Session (newsroom/sessions.py).
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "newsroom.apps.TagsConfig",  # taggit
    "reversion",
    "django_prose_editor",
    "csp",
    "pagecache",
    "articles",
    "desk",
    "wordpress",
    "audience",
    # Before django_tasks_db: its db_worker command replaces the stock one.
    "subscriptions",
    "django_tasks",
    "django_tasks_db",
    "newsroom.apps.SignInLockoutsConfig",  # django-axes
    # Only the load_demo command (no models, no URLs), which refuses to run with DEBUG off
    # unless forced: always installed, so that `load_demo --force` can fill a staging site.
    "demo",
]
# The benchmark (`manage.py bench`, docs/PERFORMANCE.md): its commands and its ceiling page exist
# only when it is asked for, never in normal production.
NEWSROOM_BENCHMARK = env.bool("NEWSROOM_BENCHMARK", default=False)
if NEWSROOM_BENCHMARK:
    INSTALLED_APPS.append("benchmark")

MIDDLEWARE = [
    # First, to time the whole request: its id, and its log line (newsroom/logs.py).
    "newsroom.logs.request_log",
    # /sante/ is answered here, before the host check and the HTTPS redirect (newsroom/health.py).
    "newsroom.health.health_check",
    # Records the headers the stack below gives an anonymous visitor's kept page: the next
    # visitors get it with them in front of Django (pagecache/fastpath.py, newsroom/wsgi.py).
    "pagecache.fastpath.record_answers",
    # Answers that say nothing of caching (404s, redirects) are kept by no CDN: no purge
    # could reach them (pagecache/pages.py).
    "pagecache.pages.kept_by_no_shared_cache_unless_said",
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.permissions_policy",
    # ETag on every page and 304 answers to conditional requests.
    "django.middleware.http.ConditionalGetMiddleware",
    # WhiteNoise serves static files before any other work is done for them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Which database the request reads (with replicas only); before the session, which is
    # read from the primary.
    "newsroom.routers.ReplicaMiddleware",
    # An address of the former WordPress site that leads nowhere here answers with its 301
    # (wordpress/redirects.py): it never shadows a page of this site.
    "wordpress.redirects.old_addresses",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # LocaleMiddleware needs the session and must come before CommonMiddleware.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the user read in the session's query (newsroom/sessions.py).
    "newsroom.sessions.SessionUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "articles.context_processors.site",
                "audience.context_processors.alert",
            ],
        },
    },
]


def database(url):
    """The settings of the database at ``url``, the primary's or a replica's."""
    config = env.db_url_config(url)
    config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    if config["ENGINE"] == "django.db.backends.postgresql":
        # A database host that stops answering costs a request seconds, not the system's
        # minutes: the request then gets the 503 page (newsroom/views.py), or the primary when
        # it was a replica (newsroom/routers.py).
        config.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
        )
    return config


DATABASES = {
    "default": database(env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
# Read replicas of the primary: reader pages read from one of them, everything that writes or
# must read its own writes from the primary (newsroom/routers.py). In tests they are the test
# database itself.
DATABASE_REPLICAS = []
for number, url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    DATABASE_REPLICAS.append(f"replica{number}")
    DATABASES[f"replica{number}"] = {**database(url), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["newsroom.routers.ReplicaRouter"]
# How long a visitor who wrote something reads from the primary, and how long a process leaves
# a replica it could not reach alone (seconds).
DATABASE_PRIMARY_AFTER_WRITE = env.int("DATABASE_PRIMARY_AFTER_WRITE", default=10)
DATABASE_REPLICA_RETRY_AFTER = env.int("DATABASE_REPLICA_RETRY_AFTER", default=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://newsroom")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
    # Pages are kept in each worker's memory: more of them than Django's default 300.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault(
        "MAX_ENTRIES", env.int("PAGE_CACHE_LOCAL_ENTRIES", default=1000)
    )
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The cache is an accelerator: without Redis the site answers from the database
    # (newsroom/cache.py). Short timeouts, then Redis is left alone for a few seconds, so that
    # a dead or hung Redis costs each process a fraction of a second now and then.
    CACHES["default"]["BACKEND"] = "newsroom.cache.ResilientRedisCache"
    CACHES["default"]["OPTIONS"] = {
        "socket_connect_timeout": 0.25,
        "socket_timeout": 0.5,
        "retry_after": 5,
        **CACHES["default"].get("OPTIONS", {}),  # CACHE_URL=redis://…?socket_timeout=1
    }
# Pages are cached per content version (pagecache/), so a long timeout is safe.
PAGE_CACHE_TIMEOUT = env.int("PAGE_CACHE_TIMEOUT", default=600)
# How long a worker trusts the content version it last read from the database (seconds):
# another process's change reaches it within this delay; its own changes show at once.
PAGE_CACHE_RECHECK = env.float("PAGE_CACHE_RECHECK", default=0.5)
if CACHES["default"]["BACKEND"] != "django.core.cache.backends.locmem.LocMemCache":
    # Each worker also keeps the pages it serves most in its own memory, before Redis.
    CACHES["local-pages"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "newsroom-pages",
        "TIMEOUT": PAGE_CACHE_TIMEOUT,
        "OPTIONS": {"MAX_ENTRIES": env.int("PAGE_CACHE_LOCAL_ENTRIES", default=1000)},
    }


def checked_out_commit(repository=BASE_DIR / ".git"):
    """The commit of a git checkout, read from its files (no git process); "" elsewhere."""
    try:
        head = (repository / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:12]  # a detached HEAD: a tag or commit checked out
        ref = head.removeprefix("ref: ")
        if (repository / ref).exists():
            return (repository / ref).read_text().strip()[:12]
        packed = (repository / "packed-refs").read_text().splitlines()
        return next((line[:12] for line in packed if line.endswith(f" {ref}")), "")
    except OSError:
        return ""


# What this deployment runs: pages rendered by other code are never served from a cache they
# share. The checked-out commit by default, read again by each worker a reload starts.
NEWSROOM_RELEASE = env("RELEASE", default="") or checked_out_commit() or "dev"
# How long a CDN may keep a page without asking again (browsers always revalidate).
PAGE_CACHE_SHARED_MAX_AGE = env.int("PAGE_CACHE_SHARED_MAX_AGE", default=60)
# The cache in front of the site, told what to drop when content changes (pagecache/purge.py):
# none, varnish, nginx, cloudflare or fastly, or several, comma-separated (nginx's cache in
# front of Varnish: "nginx,varnish"). Reader pages then carry the keys of what they show in the
# header each reads, and PAGE_CACHE_SHARED_MAX_AGE can be hours.
CDN_PURGE_BACKEND = env.str("CDN_PURGE_BACKEND", default="none")
for _backend in CDN_PURGE_BACKEND.split(","):
    if _backend.strip() not in ("none", "varnish", "nginx", "cloudflare", "fastly"):
        raise ImproperlyConfigured(f"CDN_PURGE_BACKEND: unknown backend {_backend!r}")
del _backend
# Purges wait this long after the change commits (seconds): by then every app server has seen
# the new content version, so the CDN cannot fetch a page an app server still keeps; the
# quarter of a second beyond the recheck covers a page begun with the old version just before
# its server re-read it, which would otherwise reach the CDN after the purge.
CDN_PURGE_DELAY = env.float("CDN_PURGE_DELAY", default=PAGE_CACHE_RECHECK + 0.25)
# The worker waits at most this long (seconds) for the read replicas to replay a change before
# it purges (else it tries again later), and holds the keys it sends for CDN_PURGE_LEASE
# seconds: a worker that dies leaves them to another after that.
CDN_PURGE_REPLICA_WAIT = env.float("CDN_PURGE_REPLICA_WAIT", default=10)
CDN_PURGE_LEASE = env.float("CDN_PURGE_LEASE", default=60)
CDN_PURGE_VARNISH_URLS = env.list("CDN_PURGE_VARNISH_URLS", default=["http://127.0.0.1:6081"])
CDN_PURGE_NGINX_URLS = env.list("CDN_PURGE_NGINX_URLS", default=["http://127.0.0.1/purge"])
CDN_PURGE_CLOUDFLARE_API = env.str(
    "CDN_PURGE_CLOUDFLARE_API", default="https://api.cloudflare.com/client/v4"
)
CDN_PURGE_CLOUDFLARE_ZONE = env.str("CDN_PURGE_CLOUDFLARE_ZONE", default="")
CDN_PURGE_CLOUDFLARE_TOKEN = env.str("CDN_PURGE_CLOUDFLARE_TOKEN", default="")
CDN_PURGE_CLOUDFLARE_BATCH = env.int("CDN_PURGE_CLOUDFLARE_BATCH", default=30)  # tags a call
CDN_PURGE_FASTLY_API = env.str("CDN_PURGE_FASTLY_API", default="https://api.fastly.com")
CDN_PURGE_FASTLY_SERVICE = env.str("CDN_PURGE_FASTLY_SERVICE", default="")
CDN_PURGE_FASTLY_TOKEN = env.str("CDN_PURGE_FASTLY_TOKEN", default="")
CDN_PURGE_FASTLY_SOFT = env.bool("CDN_PURGE_FASTLY_SOFT", default=False)  # mark stale only

# Sessions in the database alone: a sign-out made while Redis was unreachable must never be
# undone by a copy Redis kept, whichever process reads it next. Only signed-in visitors (never
# a cached page) pay the query, one for the session and its user together (newsroom/sessions.py).
SESSION_ENGINE = "newsroom.sessions"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out sign-in before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, which takes the user the session loaded (newsroom/sessions.py).
    "newsroom.sessions.UserBackend",
]
# Password guessing on the admin's sign-in page (django-axes; newsroom/lockout.py). An account
# is locked from one address after a few failures; an address, whatever the accounts it tries,
# after more. Never an account everywhere: from elsewhere, an attacker could otherwise lock a
# journalist out of the newsroom.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURES_PER_ACCOUNT", default=5)
ADMIN_LOGIN_FAILURES_PER_ADDRESS = env.int("ADMIN_LOGIN_FAILURES_PER_ADDRESS", default=30)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_HANDLER = "newsroom.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "newsroom.lockout.lockout_page"
# The reader's address behind TRUSTED_PROXY_COUNT proxies, as for every rate limit.
AXES_CLIENT_IP_CALLABLE = "newsroom.clients.client_ip"
# No row for every successful sign-in (readers' included): lockouts need only the failures.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no banner on every manage.py command

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Media on an S3-compatible object store, so that app servers keep nothing on disk.
if AWS_STORAGE_BUCKET_NAME := env.str("AWS_STORAGE_BUCKET_NAME", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default=None),
            "querystring_auth": False,  # public addresses, the same for every reader
            "file_overwrite": False,
            # As nginx serves MEDIA_ROOT (deploy/nginx/newsroom.conf).
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }

# Uploads: refuse anything that could exhaust memory while decoding.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMAGE_MAX_UPLOAD_BYTES = env.int("IMAGE_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A hung SMTP server must not hold a newsletter worker forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Readers sign in with a one-time link sent by e-mail; staff use the admin's sign-in page.
LOGIN_URL = "subscriptions:login"

# Background work (newsletter sending) in a database-backed queue: `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

NEWSLETTER = {
    # Signed links in confirmation e-mails stay valid this long.
    "CONFIRMATION_MAX_AGE": env.int("NEWSLETTER_CONFIRMATION_MAX_AGE", default=3 * 24 * 3600),
    # A known address gets at most one confirmation e-mail per period.
    "RESEND_PERIOD": env.int("NEWSLETTER_RESEND_PERIOD", default=3600),
    # Signups allowed per IP address and per e-mail address in RATE_PERIOD seconds.
    "RATE_PER_IP": env.int("NEWSLETTER_RATE_PER_IP", default=10),
    "RATE_PER_ADDRESS": env.int("NEWSLETTER_RATE_PER_ADDRESS", default=3),
    "RATE_PERIOD": env.int("NEWSLETTER_RATE_PERIOD", default=3600),
    # Messages sent over one SMTP connection before it is renewed, and retries per delivery.
    "BATCH_SIZE": env.int("NEWSLETTER_BATCH_SIZE", default=200),
    "MAX_ATTEMPTS": env.int("NEWSLETTER_MAX_ATTEMPTS", default=3),
}
# Searches (with a query) a client IP may make per SEARCH_RATE_PERIOD seconds: each reaches an
# app server and PostgreSQL's full-text search, whatever the caches hold.
SEARCH_RATE_PER_IP = env.int("SEARCH_RATE_PER_IP", default=30)
SEARCH_RATE_PERIOD = env.int("SEARCH_RATE_PERIOD", default=60)
# Views of stories (audience/counting.py): counted requests per reader's address and period,
# how often counts waiting in a process's memory or in Redis are written to the database, and
# how often at most « Les plus lus » may change (each change rebuilds the pages that show it).
AUDIENCE = {
    "RATE_PER_IP": env.int("AUDIENCE_RATE_PER_IP", default=60),
    "RATE_PERIOD": env.int("AUDIENCE_RATE_PERIOD", default=60),
    "FLUSH_INTERVAL": env.int("AUDIENCE_FLUSH_INTERVAL", default=60),
    "MOST_READ_REFRESH": env.int("AUDIENCE_MOST_READ_REFRESH", default=300),
}
# One-time sign-in links for readers expire after this many seconds.
LOGIN_LINK_MAX_AGE = env.int("LOGIN_LINK_MAX_AGE", default=30 * 60)

# The newsroom's identity, shown on every page.
NEWSROOM_SITE_NAME = env.str("SITE_NAME", default="Le Quotidien")
NEWSROOM_SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# The name after "de" and "à" ("du Quotidien", "au Quotidien"), when the French rule of
# newsroom/site.py (articles contracted, "de" elided before a vowel) gets it wrong.
NEWSROOM_SITE_NAME_AFTER = {
    "de": env.str("SITE_NAME_AFTER_DE", default=""),
    "à": env.str("SITE_NAME_AFTER_A", default=""),
}
NEWSROOM_SITE_DESCRIPTION = env.str(
    "SITE_DESCRIPTION", default="L’actualité en France, en Europe et dans le monde."
)
# The sender of every e-mail: the site's name, at its domain, unless set.
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default=sender_address(NEWSROOM_SITE_NAME, NEWSROOM_SITE_URL)
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's colours: ink (text, rules) and accent (kickers, links); both must keep AA contrast.
NEWSROOM_COLOURS = {
    "ink": env.str("SITE_INK_COLOUR", default="#1a1a1a"),
    "accent": env.str("SITE_ACCENT_COLOUR", default="#9b1c1c"),
}

# Content-Security-Policy: no inline script anywhere, no inline style on reader pages; images
# from our media storage.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # A nonce is added only on pages that ask for one (the admin's rich-text editor).
        "script-src": ["'self'", NONCE],
        # No inline style; the admin alone allows them (newsroom/middleware.py).
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *env.list("CSP_IMG_SRC", default=[])],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        # The players of embedded videos and posts (articles/embeds.py), loaded only once a
        # reader clicks (static/js/embeds.js).
        "frame-src": [
            "'self'",
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
            "https://www.dailymotion.com/embed/",
            "https://platform.twitter.com",
            "https://www.instagram.com",
            "https://embed.bsky.app",
        ],
    }
}

# Production hardening; `manage.py check --deploy` is clean with DEBUG off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies in front of the site that append the client's address to X-Forwarded-For (the
# rate limits of public forms count per reader's address, not per proxy).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

# The article editor's own extensions (articles/forms.py BODY_EDITOR_EXTENSIONS): JavaScript
# modules, and what each lets through the sanitiser (articles/sanitizing.py decides in the end):
# pictures chosen from the media library (a Figure that names its Image), embedded videos and
# posts, and every button named in French.
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [static_lazy("js/body-media.js")],
        "extensions": {
            "Embed": html_tags(["figure", "a"], {"figure": ["data-embed"], "a": ["href"]}),
        },
    },
    {
        "js": [static_lazy("js/prose-editor-fr.js")],
        "extensions": {"FrenchInterface": html_tags([])},
    },
]

TAGGIT_CASE_INSENSITIVE = True
TAGGIT_STRIP_UNICODE_WHEN_SLUGIFYING = True  # ASCII tag URLs, like article slugs
TAGGIT_TAGS_FROM_STRING = "articles.tags.parse_tags"  # names cleaned, each tag once

# Logs on standard output, a line for every request: plain text, or with LOG_FORMAT=json one JSON
# object per line (newsroom/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json.")
SECRETS_LOGGED_BY = ("django.request", "django.server")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "newsroom.logs.JsonFormatter"}},
    "filters": {"hide_secrets": {"()": "newsroom.logs.HideSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["hide_secrets"],
            **({"formatter": "json", "stream": "ext://sys.stdout"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # A line per request, in either format (gunicorn keeps no access log of its own).
        "newsroom.requests": {"level": "INFO"},
        # Django's own lines name the path ("Not Found: /compte/connexion/…"): its token hidden
        # before any handler, the console's or another's, sees them.
        **{name: {"filters": ["hide_secrets"]} for name in SECRETS_LOGGED_BY},
    },
}

# Errors to Sentry when a DSN is given (newsroom/monitoring.py: nothing personal is sent).
if SENTRY_DSN := env.str("SENTRY_DSN", default=""):
    from newsroom.monitoring import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default="") or env.str("RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
