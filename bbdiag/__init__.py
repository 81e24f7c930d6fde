"""bbdiag: explain why a git command failed to authenticate, and what to type to fix it."""

__version__ = "0.1.0"
