"""Errors that reach users, each worded as one line naming the input.

User mistakes (a missing file, a 404, an empty page) raise
:class:`InputError`; the CLI prints ``unspin: error: <message>`` and exits
non-zero without a traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class UnspinError(Exception):
    """Base class of the errors unspin reports to users in one line."""


class InputError(UnspinError):
    """An input that cannot be read or has no article text."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # picklable, so that worker processes can send it back (the default would call cls(message))
        return (type(self), (self.source, self.reason))


class ConfigError(UnspinError):
    """A bad option, configuration file or ratings table."""


class ModelError(UnspinError):
    """A model that cannot be loaded (missing package, bad checksum)."""


def failure_reason(exc: BaseException) -> str:
    """One line saying why one input of a batch failed, for its error line or its ``failed`` row.

    An :class:`InputError` gives its reason; another :class:`UnspinError` its
    message; anything else (a bug, a model that ran out of memory) is named
    with its type and the first line of its message, so that a batch can go on
    and the user can still report it.
    """
    if isinstance(exc, InputError):
        return exc.reason
    if isinstance(exc, UnspinError):
        return str(exc)
    first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"analysis failed ({type(exc).__name__}{': ' + first if first else ''})"
