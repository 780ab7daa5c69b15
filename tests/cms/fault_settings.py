"""Settings for the fault tests (tests/cms/test_faults.py): production settings, with two changes that do not
touch what is under test. Static files are served by name (no collectstatic manifest to build: the native
stack test covers that), and e-mail goes to files the test reads (FAULT_MAIL_DIR), through a backend that
refuses the first message to a "flaky" address, as a mail server that is briefly down would."""

import os

from cms.settings.production import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
EMAIL_BACKEND = "tests.cms.fault_mail.FlakyOnceFileBackend"
EMAIL_FILE_PATH = os.environ["FAULT_MAIL_DIR"]
