"""Settings for bench/pages.py only: production settings plus a bench URL conf with a minimal view.

The environment (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL) is set by bench/pages.py before
Django starts, in its own process and in gunicorn's; nothing here is used by the app itself.
"""

import os

from cms.settings.production import *  # noqa: F403

ROOT_URLCONF = "_pages_urls"  # bench/ is on the Python path (gunicorn --pythonpath)
# The bench's own collected static files (hashed names, as WhiteNoise serves them in production),
# outside the repository so it never races another run of collectstatic on staticfiles/.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", "/tmp/bodywork-bench-static")
LOGGING["root"]["level"] = "WARNING"  # noqa: F405  no log line per request
