"""Settings for the practice site, driven entirely by the environment.

Every variable is optional for local use (`make run`); the README lists each one with its
default. Production is anything with DJANGO_DEBUG unset or 0.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production needs a long random secret, e.g. "
            '`python3 -c "import secrets; print(secrets.token_urlsafe(50))"`; '
            "for local development set DJANGO_DEBUG=1 (make run does)."
        )
    # The "django-insecure-" prefix makes `manage.py check --deploy` flag it.
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Imports run one way: the site-wide services import no app, the apps (pages, blog,
# consultations) import services only, and the project (practice) sits on top of them all.
INSTALLED_APPS = [
    "staff.apps.StaffAdminConfig",  # django.contrib.admin, with two-step sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "markdownx",
    "adminsortable2",  # drag-and-drop order of a series' parts (blog/admin.py SeriesAdmin)
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    # Site-wide services.
    "staff",  # staff sign-in, two-step, roles, passwords and the audit trail
    "page_cache",  # whole public pages for anonymous visitors, never stale
    "images",  # uploaded images: checked and re-encoded, then served
    "editor",  # Markdown: rendering, the admin editor, its preview and upload
    "sqlite_backups",  # backup_db and restore_db (PostgreSQL has pg_dump)
    "licensing",  # US states by name or code, and where the clinicians are licensed
    "outbox",  # every e-mail queued with the change that causes it, delivered exactly once
    # post-office's models and admin, under the outbox: listed after it, so that its own
    # send_queued_mail command gives way to ours (the app listed first wins).
    "post_office",
    # The apps.
    "pages",  # editable pages: About, Services, FAQ, …
    "blog",  # articles, series, topics, authors, feeds, old addresses, the import
    "consultations",  # the consultation form and the triage desk
    # The project: home page, health check, page shell, demo content.
    "practice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",  # ETags and 304s, cached pages included
    "page_cache.middleware.PageCacheMiddleware",  # before sessions: a hit skips everything below
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # revisions record who saved
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "blog.middleware.OldPathRedirectMiddleware",  # addresses from the old website (import)
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the "locked" page
]

ROOT_URLCONF = "practice.urls"
WSGI_APPLICATION = "practice.wsgi.application"

# Visitor pages are Jinja2 templates (templates/jinja2/, practice/jinja2.py): they render in about
# half the Python calls. The admin, the e-mail and the apps' own templates stay Django's.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "practice.jinja2.environment",
            # The request and the CSRF field come with every Jinja2 render.
            "context_processors": [
                "practice.context_processors.practice",
                "practice.context_processors.canonical_url",
                "practice.context_processors.site_links",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "practice.context_processors.practice",
                "practice.context_processors.canonical_url",
                "practice.context_processors.site_links",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# No DATABASE_URL means a SQLite file next to manage.py; postgres://… means PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Without these, concurrent form submissions fail with "database is locked": WAL lets
    # readers run beside a writer, IMMEDIATE takes the write lock up front so a read-then-write
    # transaction never has to upgrade, and the timeout makes writers queue instead of failing.
    # (dj-database-url cannot express them, so they are merged in here.)
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if DEBUG else 600
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # secure_delete overwrites deleted rows, so purged requests leave no text behind.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;"
            ),
        }
    )
    # Tests use a real file too (not Django's in-memory default), so they exercise the above;
    # one per process, so test runs side by side never share a database.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"practice-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# The default works across gunicorn workers on one machine with no extra service; several app
# servers share Redis instead.
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_cache(url):
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        # A Redis that stops answering costs a request one second rather than hanging it; the
        # page cache then leaves it alone for a while (page_cache/outage.py).
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {
        "default": {
            "BACKEND": "page_cache.backends.DatabaseCache",  # Django's, with a leaner get()
            "LOCATION": "practice_cache",
            # Room for every page of a large site; past it, a third of the entries are dropped.
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# Whole public pages for anonymous visitors, shared by every worker (page_cache/).
# Saving content makes them stale at once, so this only bounds how long unused pages stay.
# Off with DEBUG, where templates change under a running server.
PAGE_CACHE_SECONDS = int(os.environ.get("DJANGO_PAGE_CACHE_SECONDS", "0" if DEBUG else "3600"))
# What each worker keeps of those pages in its own memory, so that a hit reads only the content
# version from the shared cache (page_cache/local.py): 8 MB holds a few hundred articles.
PAGE_CACHE_LOCAL_BYTES = int(os.environ.get("DJANGO_PAGE_CACHE_LOCAL_MB", "8")) * 1024 * 1024

# Addresses on one page of each sitemap section (/sitemap-<section>.xml?p=N): a full page renders
# in tens of milliseconds, uncached.
SITEMAP_LIMIT = 1000

# --- Passwords and sessions -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "staff.passwords.PracticeWordsValidator"},
]

# Sign-in throttling (django-axes): five wrong passwords for one username from one address (one
# IPv6 /64) lock that pair out for 15 minutes. Locking the pair, not the username alone, means an
# attacker elsewhere cannot lock a clinician out of their own account.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "staff.network.client_network"  # an IPv6 /64 counts as one
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False  # our audit log records sign-ins; axes' own lines would repeat them

# Two-factor sign-in (TOTP) for staff: on in production, off for local development.
TWO_FACTOR_REQUIRED = env_bool("DJANGO_REQUIRE_2FA", not DEBUG)
SESSION_COOKIE_AGE = 8 * 60 * 60  # staff sessions end after a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Language, time -------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "America/Los_Angeles")
# English only: without translation machinery every {% url %} and date is cheaper to render.
USE_I18N = False
USE_TZ = True

# --- Static files and uploads -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # E-mail attachments, kept in the database with their message (outbox/storage.py).
    "outbox": {"BACKEND": "outbox.storage.DatabaseStorage"},
    # Hashed names (cacheable forever) and pre-compressed gzip/brotli copies.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365 if not DEBUG else 0

# --- E-mail -------------------------------------------------------------------------------------
# Every e-mail is queued in the outbox first (outbox/), in the transaction of the change that
# causes it, and delivered by `manage.py send_queued_mail`: Django's send_mail, EmailMessage
# and mail_admins go through EMAIL_BACKEND into the queue; the real transport, SMTP when
# DJANGO_EMAIL_HOST is set and the console otherwise, is post-office's delivery backend.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "")
EMAIL_BACKEND = "outbox.backends.EmailBackend"
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "website@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Site admin", address) for address in env_list("DJANGO_ADMINS")]
POST_OFFICE = {
    "BACKENDS": {
        "default": (
            "django.core.mail.backends.smtp.EmailBackend"
            if EMAIL_HOST
            else "django.core.mail.backends.console.EmailBackend"
        )
    },
    "FILE_STORAGE": "outbox",  # attachments in the database, with their message
    "LOG_LEVEL": 2,  # a Log row for every attempt, sent or failed (shown in the admin)
}
# `make run` (DEBUG) delivers each message as soon as the transaction that queued it commits,
# so nobody has to run send_queued_mail beside it. Production leaves that to the command.
OUTBOX_DELIVER_ON_COMMIT = DEBUG

# --- The practice -------------------------------------------------------------------------------
PRACTICE_NAME = os.environ.get("PRACTICE_NAME", "Clearwater Psychotherapy")
PRACTICE_PHONE = os.environ.get("PRACTICE_PHONE", "(555) 010-0142")
PRACTICE_EMAIL = os.environ.get("PRACTICE_EMAIL", "hello@clearwater-therapy.example")
PRACTICE_ADDRESS = os.environ.get(
    "PRACTICE_ADDRESS", "418 Alder Street, Suite 2, Portland, OR 97205"
)
# The site's address, for links in e-mails sent outside a page request (the daily digest);
# by default the first of DJANGO_ALLOWED_HOSTS, over https.
PRACTICE_URL = os.environ.get("PRACTICE_URL", "").rstrip("/") or (
    "http://localhost:8000"
    if DEBUG
    else "https://" + next(iter(ALLOWED_HOSTS), "localhost").lstrip(".")
)
OTP_TOTP_ISSUER = PRACTICE_NAME  # the name authenticator apps show

# --- Consultation requests ---------------------------------------------------------------------
# Who is told "a new request arrived" (the e-mail never contains the request itself).
CONSULTATION_NOTIFY_EMAILS = env_list("CONSULTATION_NOTIFY_EMAILS")
# Closed, not-a-fit and spam requests are deleted this many days after they were finished.
CONSULTATION_RETENTION_DAYS = int(os.environ.get("CONSULTATION_RETENTION_DAYS", "180"))
# Requests from one network address per hour ("5/h"); "0" turns the limit off (load tests).
CONSULTATION_RATE_LIMIT = os.environ.get("CONSULTATION_RATE_LIMIT", "5/h")
# A form sent sooner than this after it was shown is a bot's; 0 turns the check off.
CONSULTATION_MIN_FILL_SECONDS = int(os.environ.get("CONSULTATION_MIN_FILL_SECONDS", "3"))
# New requests still unanswered after this many business hours (weekdays) are overdue.
CONSULTATION_RESPONSE_HOURS = int(os.environ.get("CONSULTATION_RESPONSE_HOURS", "24"))
# Booking the free call (consultations/booking.py): its length, the gap after each call, how far
# ahead and how soon visitors may book, and the reminder (hours before the call; 0 = none).
CONSULTATION_CALL_MINUTES = int(os.environ.get("CONSULTATION_CALL_MINUTES", "15"))
CONSULTATION_CALL_GAP_MINUTES = int(os.environ.get("CONSULTATION_CALL_GAP_MINUTES", "5"))
CONSULTATION_BOOKING_DAYS = int(os.environ.get("CONSULTATION_BOOKING_DAYS", "14"))
CONSULTATION_MIN_NOTICE_HOURS = int(os.environ.get("CONSULTATION_MIN_NOTICE_HOURS", "2"))
CONSULTATION_REMINDER_HOURS = int(os.environ.get("CONSULTATION_REMINDER_HOURS", "2"))
# The states the practice sees people in (names or postal codes), used until some author
# profile lists the states its clinician is licensed in; empty: nobody is turned away for it.
CONSULTATION_STATES = env_list("CONSULTATION_STATES")
# The hour (0-23, practice time) of the daily digest of overdue and today's calls.
CONSULTATION_DIGEST_HOUR = int(os.environ.get("CONSULTATION_DIGEST_HOUR", "8"))
# The request header that carries the visitor's address, set by our own reverse proxy
# (e.g. X-Real-IP). Empty: the address of the connection itself.
CLIENT_IP_HEADER = os.environ.get("DJANGO_CLIENT_IP_HEADER", "")

# --- Articles ---------------------------------------------------------------------------------
# A second clinician approves each article before visitors can read it (blog/review.py); a
# practice with one clinician turns this off. Approved articles are due for another review
# this many months later.
BLOG_REQUIRE_REVIEW = env_bool("BLOG_REQUIRE_REVIEW", True)
BLOG_REVIEW_MONTHS = int(os.environ.get("BLOG_REVIEW_MONTHS", "12"))

# --- Backups ----------------------------------------------------------------------------------
# Where `backup_db` writes; empty means backups/ next to the SQLite database file.
BACKUP_DIR = os.environ.get("DJANGO_BACKUP_DIR", "")

# --- Markdown editor ----------------------------------------------------------------------------
# markdownx's own renderer does not sanitize; ours does, so the preview is the page.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "editor.markdown.render"
# We mount the editor endpoints ourselves, behind a staff permission check (editor/urls.py).
MARKDOWNX_URLS_PATH = "/editor/preview/"
MARKDOWNX_UPLOAD_URLS_PATH = "/editor/upload/"
MARKDOWNX_SERVER_CALL_LATENCY = 700  # ms of typing pause before the preview refreshes
# Room for the longest text blog/markdown.py takes (300,000 characters), in any script, as a
# form sends it: up to 12 bytes a character once percent-encoded. Django's default is 2.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024

# --- Security -----------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # what a visitor reads is nobody else's business
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain http
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Strict on every page: no inline script or style anywhere, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Logging ------------------------------------------------------------------------------------
# Plain console logs for the process manager to collect. Nothing a visitor typed is ever logged:
# views that accept visitor data are wrapped in sensitive_post_parameters and log no fields.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # post-office logs whole exceptions, which can name a recipient; the outbox calls
        # none of the functions that do, and logs message numbers only (outbox/delivery.py).
        # Configured here, post-office adds no handler of its own (post_office/logutils.py).
        "post_office": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
if ADMINS:
    LOGGING["handlers"]["mail_admins"] = {
        "class": "django.utils.log.AdminEmailHandler",
        "level": "ERROR",
        "include_html": False,
        # Queued like all mail. When the database is down (the likeliest error of all) the
        # report cannot be queued: it is sent straight through SMTP instead, one attempt, as
        # Django would without the outbox, and the console log has the error either way
        # (outbox/backends.py, ErrorReportBackend).
        "email_backend": "outbox.backends.ErrorReportBackend",
    }
    LOGGING["loggers"]["django.request"] = {
        "handlers": ["console", "mail_admins"],
        "level": "ERROR",
        "propagate": False,
    }

# --- Uploaded media storage (S3) ---
# Unset: uploads stay in MEDIA_ROOT and Django serves them (practice/media.py). Set
# DJANGO_MEDIA_S3_BUCKET to keep them on S3 or an S3-compatible service instead (needs
# requirements-s3.txt); either way every upload first passes the Pillow checks in blog/images.py.
MEDIA_S3_BUCKET = os.environ.get("DJANGO_MEDIA_S3_BUCKET", "")
if MEDIA_S3_BUCKET:
    import importlib.util
    import re
    from urllib.parse import urlsplit

    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "DJANGO_MEDIA_S3_BUCKET is set but django-storages is not installed: "
            "pip install -r requirements-s3.txt"
        )
    _s3_endpoint = os.environ.get("DJANGO_MEDIA_S3_ENDPOINT_URL", "")  # e.g. Scaleway, R2, MinIO
    _s3_region = os.environ.get("DJANGO_MEDIA_S3_REGION", "")
    _s3_domain = os.environ.get("DJANGO_MEDIA_S3_CUSTOM_DOMAIN", "")  # a CDN in front, say
    _s3_options = {
        "bucket_name": MEDIA_S3_BUCKET,
        "endpoint_url": _s3_endpoint or None,
        "region_name": _s3_region or None,
        "custom_domain": _s3_domain or None,
        # Article images are public: plain URLs that never expire, cacheable forever because
        # names are server-chosen and never reused (nor overwritten).
        "querystring_auth": False,
        "file_overwrite": False,
        "default_acl": None,  # the bucket's own policy decides who may read
        "object_parameters": {
            "CacheControl": "public, max-age=31536000, immutable",
            "ContentDisposition": "inline",
        },
    }
    # Unset: boto3's usual chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, an instance role…).
    if os.environ.get("DJANGO_MEDIA_S3_ACCESS_KEY_ID"):
        _s3_options["access_key"] = os.environ["DJANGO_MEDIA_S3_ACCESS_KEY_ID"]
        _s3_options["secret_key"] = os.environ.get("DJANGO_MEDIA_S3_SECRET_ACCESS_KEY", "")
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options}

    # Pages show these images, so the origin default_storage.url() gives joins img-src.
    if _s3_domain:
        _s3_origin = "https://" + _s3_domain.split("/")[0]
    elif _s3_endpoint:
        _s3_origin = "{0.scheme}://{0.netloc}".format(urlsplit(_s3_endpoint))  # path-style URLs
    elif re.fullmatch(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", MEDIA_S3_BUCKET):
        _s3_origin = f"https://{MEDIA_S3_BUCKET}.s3.amazonaws.com"  # AWS, virtual-hosted URLs
    elif _s3_region and _s3_region != "us-east-1":
        _s3_origin = f"https://s3.{_s3_region}.amazonaws.com"  # AWS, a name with dots: path-style
    else:
        _s3_origin = "https://s3.amazonaws.com"
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(_s3_origin)
