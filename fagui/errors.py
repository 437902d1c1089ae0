"""Domain exceptions. The core raises these; the CLI and HTTP layers translate them."""

from __future__ import annotations


class FaguiError(Exception):
    """Base class of every error fagui raises on purpose."""


class SourceError(FaguiError):
    """A source could not be read or decoded. Names the source and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class OptionsError(FaguiError, ValueError):
    """An options object was built with a value it does not accept."""
