from .base import *

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
MEDIA_ROOT = BASE_DIR / ".test-media"
# Unit tests run tasks eagerly whatever the environment says; the worker tests opt in to Redis.
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
LOGGING["root"]["level"] = "WARNING"
WHITENOISE_AUTOREFRESH = True  # no collectstatic in tests
WHITENOISE_USE_FINDERS = True
# The cache outlives each test, so counts would leak between tests: tests/cms/test_security.py turns
# the rate limits on where it tests them. django-axes stays on (its records are rolled back per test).
RATELIMIT_ENABLE = False
OPEN_BADGES_PRIVATE_KEY = ""
OPEN_BADGES_KEY_FILE = str(BASE_DIR / ".test-media" / "keys" / "open-badges-test.pem")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite test databases are in memory with a shared cache, where a lock held by one connection fails
    # another at once ("database table is locked") instead of waiting: no IMMEDIATE write lock taken at BEGIN.
    DATABASES["default"]["OPTIONS"].pop("transaction_mode", None)
# No editor autosave: on a busy machine it created the page before the journey's own "Save draft", whose
# create then failed on the taken slug (tests/e2e/test_course_authoring_journey.py, PostgreSQL).
WAGTAIL_AUTOSAVE_INTERVAL = 0
