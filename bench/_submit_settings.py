"""Settings for bench/quiz_submit.py: those of bench/pages.py (production settings, the minimal views)
with static files served under their own names, so no collectstatic is needed: the submits answer
JSON and the minimal view plain text, neither renders a page."""

from _pages_settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
