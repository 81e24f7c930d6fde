"""The one error a command raises for a mistake in how bbdiag was called or what it was given."""


class UsageError(Exception):
    """A mistake in how bbdiag was called or what it was given: one clear line, exit 2."""
