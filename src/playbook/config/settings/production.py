"""Production: PostgreSQL, Redis, secrets from the environment, HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

if not env("DJANGO_SECRET_KEY") or not env("DATABASE_URL"):
    raise ImproperlyConfigured("production needs DJANGO_SECRET_KEY and DATABASE_URL")
if not env("PLAYBOOK_PSEUDONYM_KEY"):
    raise ImproperlyConfigured("production needs PLAYBOOK_PSEUDONYM_KEY")
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
