"""The embedded demo: SQLite and local files, served like production (DEBUG off: the site's own
404 and 500 pages, never Django's debug page with the URL list). ``DJANGO_DEBUG=1`` turns the
debug pages on for development on one's own machine."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", False)

#: The embedded demo's conveniences (``playbook totp USERNAME`` prints a demo account's current
#: authenticator code) are on here and nowhere else, whatever DEBUG says.
PLAYBOOK_EMBEDDED_DEMO = True
