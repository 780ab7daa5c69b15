"""Settings shared by every environment. Anything secret or host-specific comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "cms",
    "content",
    "courses",
    "quizzes",
    "wagtail.contrib.settings",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtailmedia",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "axes",
    "allauth",
    "allauth.account",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cms.middleware.HostileInputMiddleware",  # a 400, not a 500: NUL bytes, bad `next`, broken forms
    "cms.middleware.PrivateResponsesMiddleware",  # logged-in responses: Cache-Control private, no-store
    # Whole pages for visitors without cookies; outside the session, CSRF and CSP middleware so it
    # sees the cookies and headers they add (courses/caching.py)
    "courses.caching.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "cms.security.SiteCSPMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # a view over its rate gets the 429 page
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run`'s threaded server and a worker write at once: writers queue (IMMEDIATE takes the write lock
    # at BEGIN, so no read lock waits to be upgraded) and wait up to 20 s instead of failing "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cms.User"
# AxesBackend first: it refuses locked-out log-ins before the password is checked. It is AxesStandaloneBackend
# plus ModelBackend, so a session or force_login naming the first backend can load its user (get_user).
# allauth's backend last: it logs in by e-mail address (the others by username).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Certificate PDFs and lesson media on disk: never under MEDIA_ROOT (no public URL); web and Celery
# workers must share it. Empty: "<MEDIA_ROOT>-private" next to MEDIA_ROOT (courses/storage.py).
PRIVATE_MEDIA_ROOT = os.environ.get("PRIVATE_MEDIA_ROOT", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Certificates (a regenerated PDF replaces its file) and lesson media (an upload never replaces one).
    "private": {"BACKEND": "courses.storage.PrivateStorage"},
    "lesson_media": {"BACKEND": "courses.storage.PrivateStorage", "OPTIONS": {"allow_overwrite": False}},
}
# Object storage (S3, MinIO...) instead of the disk when S3_PRIVATE_BUCKET is set: replicas then share
# nothing on disk. Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (read by boto3).
# Static files stay with WhiteNoise. See .env.example.
S3_PRIVATE_BUCKET = os.environ.get("S3_PRIVATE_BUCKET", "")
# How long a signed link to a lesson video or audio file works (issued after the permission check).
PRIVATE_URL_EXPIRE_SECONDS = int(os.environ.get("PRIVATE_URL_EXPIRE_SECONDS", "300"))
if S3_PRIVATE_BUCKET:
    _s3 = {
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("S3_REGION") or None,
        "signature_version": "s3v4",
        "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,  # "path" for MinIO
    }
    _private = {
        **_s3,
        "bucket_name": S3_PRIVATE_BUCKET,
        "public_endpoint_url": os.environ.get("S3_PUBLIC_ENDPOINT_URL") or None,
        "querystring_expire": PRIVATE_URL_EXPIRE_SECONDS,
    }
    STORAGES["private"] = {"BACKEND": "courses.storage.PrivateS3Storage", "OPTIONS": _private}
    STORAGES["lesson_media"] = {
        "BACKEND": "courses.storage.PrivateS3Storage",
        "OPTIONS": {**_private, "file_overwrite": False},
    }
    # Images, renditions and documents: a bucket browsers read (its policy allows anonymous GET), at
    # S3_MEDIA_URL (e.g. https://media.example.com or http://localhost:9000/bodywork-media).
    _media_url = os.environ.get("S3_MEDIA_URL", "")
    if not os.environ.get("S3_MEDIA_BUCKET"):
        raise ImproperlyConfigured("S3_PRIVATE_BUCKET is set: set S3_MEDIA_BUCKET (images, documents) too.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_s3,
            "bucket_name": os.environ.get("S3_MEDIA_BUCKET", ""),
            "querystring_auth": False,  # stable URLs: cached pages keep working
            "default_acl": None,  # public reading is the bucket policy's business, not per-object ACLs
            "file_overwrite": False,
            "custom_domain": _media_url.split("://", 1)[-1].rstrip("/") or None,
            "url_protocol": _media_url.split("://", 1)[0] + ":" if "://" in _media_url else "https:",
        },
    }
    # Documents (lesson captions among them) go through Wagtail's view and its privacy checks.
    WAGTAILDOCS_SERVE_METHOD = "serve_view"

# Uploads: the article importer accepts at most 1 MB; Django refuses larger bodies in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Bodywork CE <no-reply@bodyworkce.example>")

# Redis holds two things, each with a URL of its own so either can move: the cache (REDIS_URL) and
# Celery's broker (CELERY_BROKER_URL, by default database 1 of REDIS_URL's server). Neither is needed to
# serve a page: the cache is best-effort (below), sessions live in the database, and a certificate whose
# task cannot be sent stays pending for the sweep. Without either URL, tasks run eagerly in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")


def _redis_database(url: str, number: int) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{number}"))


CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or (
    _redis_database(REDIS_URL, 1) if REDIS_URL else "memory://"
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged when it ends, and given back when its worker dies under it (SIGKILL, OOM).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Redis gives an unacknowledged message to another worker after visibility_timeout. It must outlast the
# longest a task is held unacknowledged, or a healthy worker's task is handed out twice: a retry waiting
# its countdown (courses.tasks: at most 300 s) plus the task's hard time limit (90 s); tests pin this.
# A killed worker's work does not wait for it: the certificate sweep re-queues it within a minute or two.
# socket_connect_timeout: a web request queueing a task never waits long on an unreachable broker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600, "socket_connect_timeout": 2}

# Beat's sweeps (courses/tasks.py), each every CERTIFICATE_SWEEP_SECONDS; each looks at the database
# only, so a missed run costs nothing and the next catches up:
# - certificates left pending longer than CERTIFICATE_REQUEUE_AFTER_SECONDS (broker outage at commit, a
#   killed worker) are queued again, and failed ones retried with growing back-off;
# - enrollments with every rule met and no certificate (a completion check that failed) are completed;
# - issued certificates not e-mailed CERTIFICATE_EMAIL_AFTER_SECONDS after issue are e-mailed, once.
# A run not started within one interval (worker down) is dropped: a later one does the same work.
CERTIFICATE_SWEEP_SECONDS = float(os.environ.get("CERTIFICATE_SWEEP_SECONDS") or 60)
CERTIFICATE_REQUEUE_AFTER_SECONDS = float(os.environ.get("CERTIFICATE_REQUEUE_AFTER_SECONDS") or 60)
CERTIFICATE_EMAIL_AFTER_SECONDS = float(os.environ.get("CERTIFICATE_EMAIL_AFTER_SECONDS") or 120)
_SWEEP = {"schedule": CERTIFICATE_SWEEP_SECONDS, "options": {"expires": CERTIFICATE_SWEEP_SECONDS}}
CELERY_BEAT_SCHEDULE = {
    "issue-pending-certificates": {
        **_SWEEP,
        "task": "courses.tasks.issue_pending_certificates",
        "kwargs": {"older_than_minutes": CERTIFICATE_REQUEUE_AFTER_SECONDS / 60},
    },
    "complete-stranded-enrollments": {**_SWEEP, "task": "courses.tasks.complete_stranded_enrollments"},
    "email-unsent-certificates": {
        **_SWEEP,
        "task": "courses.tasks.email_unsent_certificates",
        "kwargs": {"older_than_minutes": CERTIFICATE_EMAIL_AFTER_SECONDS / 60},
    },
    # Renewal reminders at 90, 30 and 7 days before a credential's deadline (courses/renewals.py): each is
    # recorded before it is sent, so running hourly sends each once; a missed run is caught up by the next.
    "send-renewal-reminders": {
        "schedule": 3600,
        "task": "courses.tasks.send_renewal_reminders",
        "options": {"expires": 3600},
    },
}

# Spaced review (issue 16, quizzes/review_schedule.py). FSRS's desired retention: the probability of
# recall each card is scheduled to keep; also the "retained" line of the instructors' retention page.
REVIEW_DESIRED_RETENTION = float(os.environ.get("REVIEW_DESIRED_RETENTION") or 0.9)
REVIEW_FSRS_FUZZ = True  # FSRS's small random spread of long intervals (off in tests that compare schedules)
# The rating from correctness and response time: a right answer within FAST seconds is Easy, over SLOW Hard.
REVIEW_FAST_SECONDS = 10
REVIEW_SLOW_SECONDS = 40
REVIEW_DIGEST_INTERVAL_DAYS = 7  # the e-mail digest of due cards: at most once in this many days
CELERY_BEAT_SCHEDULE["review-digest"] = {
    "task": "courses.tasks.send_review_digests",
    "schedule": 6 * 3600,
    "options": {"expires": 3600},
}

# The cache: Redis in production (shared by the gunicorn workers), local memory without REDIS_URL (dev,
# tests). Best-effort: django-redis turns a failed read into a miss and a failed write into nothing, logged
# (IGNORE_EXCEPTIONS, DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS), never an error in a request or a transaction;
# short socket timeouts bound what a dead or hung Redis costs each call.
_CACHE = (
    {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
)
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# The page cache (courses/caching.py says what it keeps; entries live an hour at most, like the
# {% wagtailpagecache 3600 %} fragments): PAGE_CACHE_ENABLED=false turns it off.
PAGE_CACHE_ENABLED = os.environ.get("PAGE_CACHE_ENABLED", "true").lower() == "true"
CACHES = {
    "default": _CACHE,
    "pages": {**_CACHE, "KEY_PREFIX": "pages", "TIMEOUT": 3600}
    if PAGE_CACHE_ENABLED
    else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
# Sessions in the database only, not read through the cache (cached_db): a session must outlive a Redis
# outage, and a log-out must stay a log-out. cached_db writes the cache after reading the database and
# deletes from it on log-out; with a best-effort cache a delete lost during an outage would leave the old
# session in Redis, valid again once Redis answers. The price is one primary-key query per request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

WAGTAIL_SITE_NAME = "Bodywork CE"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# The site's address: Wagtail's admin links, and (through the default Site, see courses/links.py) every link
# made without a request. `make run` exports PORT, so dev links follow the port runserver listens on.
WAGTAILADMIN_BASE_URL = os.environ.get(
    "WAGTAILADMIN_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
)
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "vtt", "xlsx"]  # vtt: lesson captions
# Lesson video and audio (wagtailmedia) in the private store, in formats every current browser plays
# natively; served only to those who may read the module (courses/lesson_media.py, courses/media_views.py).
WAGTAILMEDIA = {
    "MEDIA_MODEL": "courses.LessonMedia",
    "AUDIO_EXTENSIONS": ["m4a", "mp3", "oga", "ogg", "wav"],
    "VIDEO_EXTENSIONS": ["m4v", "mp4", "webm"],
}
LESSON_MEDIA_MAX_UPLOAD_SIZE = 500 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
# No SVG: an uploaded SVG can carry script and media files are served without the site's CSP.
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_IMAGE_PIXELS = (
    40_000_000  # refuses decompression bombs (a 5 MB file can decode to gigabytes)
)
WAGTAIL_ENABLE_UPDATE_CHECK = False  # the admin would call an outside server from the browser
# Private pages send visitors to the site's own log-in page (throttled, in the site style, under the CSP).
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAIL_FRONTEND_LOGIN_TEMPLATE = "account/login_wagtail.html"
WAGTAIL_GRAVATAR_PROVIDER_URL = (
    None  # no e-mail hashes sent to an outside server; the admin's CSP allows 'self' only
)
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_USER_CUSTOM_FIELDS = ["legal_name", "license_number", "license_state"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# ---------------------------------------------------------------- security (see cms/security.py)
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_COOKIE_HTTPONLY = True  # scripts read the token from the form's hidden input, never from the cookie
# Reverse proxies in front of the app that append to X-Forwarded-For (0: REMOTE_ADDR is the client).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Content-Security-Policy (django-csp 4). The learner site has no inline script or style attribute:
# scripts and styles come from static files. Images may be data: URIs (QR codes, inline SVG icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# The Wagtail and Django admins write inline scripts and styles, and frame their own page previews.
CSP_ADMIN_URL_PREFIXES = ["/admin/", "/django-admin/"]
CSP_ADMIN_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'self'"],
}

# Log-in throttling (cms/security.py): 5 failures for one username from one address lock that pair for
# 15 minutes (django-axes); an address's failures across usernames are held by RATE_LIMITS["login_failures"].
LOGIN_FAILURE_LIMIT = 5
AXES_FAILURE_LIMIT = "cms.security.login_failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cms.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "cms.security.client_ip"
# allauth's log-in form posts "login" (a username or an e-mail address), Wagtail's admin "username": one
# account, one lockout, whichever was typed (cms/security.py).
AXES_USERNAME_CALLABLE = "cms.security.login_username"
AXES_VERBOSE = False

# Rate limits (django-ratelimit, cms/security.py): "count/period" per client address (and per e-mail
# for resets), fixed windows in the default cache.
RATELIMIT_ENABLE = True
# When the cache cannot count (Redis down), django-ratelimit would limit everyone: every sign-up, reset and
# certificate look-up refused, and the address-wide log-in budget spent, so axes would lock out every
# log-in. Open instead: during an outage only axes' lockout of one username from one address (kept in
# the database) holds.
RATELIMIT_FAIL_OPEN = True
RATELIMIT_IP_META_KEY = "cms.security.rate_limit_address"
RATELIMIT_VIEW = "cms.security.too_many_requests"
RATE_LIMITS = {
    "signup": os.environ.get("RATE_LIMIT_SIGNUP", "20/h"),  # a class signing up together shares one address
    "password_reset": os.environ.get("RATE_LIMIT_PASSWORD_RESET", "5/h"),
    # wrong passwords from one address, whatever the username: more than a class's typos, fewer than a
    # guesser needs
    "login_failures": os.environ.get("RATE_LIMIT_LOGIN_FAILURES", "20/15m"),
    "certificate_verify": os.environ.get("RATE_LIMIT_CERTIFICATE_VERIFY", "60/m"),
    # verification e-mails a learner asks to be sent again (per account)
    "verification_email": os.environ.get("RATE_LIMIT_VERIFICATION_EMAIL", "5/h"),
    # enrollment-code redemptions per account (a mistyped code or two, never a guessing run)
    "enrollment_code": os.environ.get("RATE_LIMIT_ENROLLMENT_CODE", "10/h"),
}

# Accounts (django-allauth, cms/accounts.py): sign-up, log-in by username or e-mail, e-mail verification
# (needed before a certificate is issued, not before logging in: courses/completion.py), password reset.
# Its rate limits are off: RATE_LIMITS above (django-ratelimit, cms/account_urls.py) is the one source,
# and django-axes the log-in lockout.
ACCOUNT_ADAPTER = "cms.accounts.AccountAdapter"
ACCOUNT_FORMS = {"signup": "cms.forms.SignupForm", "login": "cms.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 7
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # the link opens a page with a button: mail scanners do not verify
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True  # one address per account
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset asked for an unknown address sends nothing
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = False

# Open Badges 3.0 (courses/badge_keys.py): the provider's Ed25519 signing key. In production give the PEM in
# OPEN_BADGES_PRIVATE_KEY (a secret), or a file at OPEN_BADGES_KEY_FILE that every web and worker process
# reads (compose: the "keys" volume, written once by setup_demo). Never commit it: var/ is git-ignored.
OPEN_BADGES_PRIVATE_KEY = os.environ.get("OPEN_BADGES_PRIVATE_KEY", "")
OPEN_BADGES_KEY_FILE = os.environ.get(
    "OPEN_BADGES_KEY_FILE", str(BASE_DIR / "var" / "keys" / "open-badges-ed25519.pem")
)
# Create the key file on first use when missing (development, tests); production creates it at set-up only.
OPEN_BADGES_CREATE_KEY = True
