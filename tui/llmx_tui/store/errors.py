"""Errors the store raises; every message is meant to be shown to the user as is."""

from __future__ import annotations


class StoreError(Exception):
    """Base class: something about the session store the user should be told."""


class StoreOpenError(StoreError):
    """The history database cannot be used; the file was left untouched."""


class SessionNotFoundError(StoreError):
    """No session with that id (or id prefix)."""


class AmbiguousSessionIdError(StoreError):
    """An id prefix that matches more than one session."""


class SessionFormatError(StoreError, ValueError):
    """Imported session data does not follow the llmx-tui.session/1 format."""
