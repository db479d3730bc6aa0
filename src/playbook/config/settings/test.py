"""Tests: SQLite unless DATABASE_URL says otherwise; a throwaway data folder; fast hashing."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

DATA_DIR = Path(env("PLAYBOOK_DATA_DIR", tempfile.mkdtemp(prefix="playbook-test-")))
LAKE_DIR = DATA_DIR / "lake"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
PLAYBOOK_TASKS = "eager"
