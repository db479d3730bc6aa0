"""Tests: SQLite unless DATABASE_URL says otherwise; a throwaway data folder; fast hashing."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import PASSWORD_HASHERS as PRODUCTION_PASSWORD_HASHERS  # noqa: F401 - read by tests
from .base import env

DATA_DIR = Path(env("PLAYBOOK_DATA_DIR", tempfile.mkdtemp(prefix="playbook-test-")))
LAKE_DIR = DATA_DIR / "lake"
# Fast hashing for the many accounts tests create; tests/accounts/test_sign_in.py checks the
# real setting (Argon2) with the base settings' hashers.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
PLAYBOOK_TASKS = "eager"
