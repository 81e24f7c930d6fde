"""Subcommand bodies: one module per command, each with `run(args) -> int`."""
