"""The embedded demo: SQLite, local files, debug pages on."""

from .base import *  # noqa: F403

DEBUG = True
