from django.core.exceptions import ImproperlyConfigured

from .base import *

DEBUG = False
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in the environment.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true").lower() == "true"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# The Wagtail user bar loads its scripts from this origin: the dev default (127.0.0.1:8000) would be
# blocked by the site's Content-Security-Policy, so default to the first allowed host over HTTPS.
if "WAGTAILADMIN_BASE_URL" not in os.environ:
    WAGTAILADMIN_BASE_URL = "https://" + ALLOWED_HOSTS[0].lstrip(".")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")

# ---------------------------------------------------------------- files and Celery (see .env.example)
# collectstatic writes here (the Dockerfile runs it at build time; the native stack test uses a temp dir).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or STATIC_ROOT)
# Several deployments (or CI runs) may share one Redis: each keeps to its own queue and cache keys.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE") or "celery"
CACHES = {
    name: {**config, "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "") + config.get("KEY_PREFIX", "")}
    for name, config in CACHES.items()
}
# Open Badges: a missing signing key is an error, never a new key made by whichever process asked first.
OPEN_BADGES_CREATE_KEY = False
