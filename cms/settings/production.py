from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

DEBUG = False
if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment.")
if not ALLOWED_HOSTS:  # noqa: F405
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in the environment.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true").lower() == "true"  # noqa: F405
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))  # noqa: F405
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# The Wagtail user bar loads its scripts from this origin: the dev default (127.0.0.1:8000) would be
# blocked by the site's Content-Security-Policy, so default to the first allowed host over HTTPS.
if "WAGTAILADMIN_BASE_URL" not in os.environ:  # noqa: F405
    WAGTAILADMIN_BASE_URL = "https://" + ALLOWED_HOSTS[0].lstrip(".")  # noqa: F405
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")  # noqa: F405
