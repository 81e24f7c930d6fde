"""`bbdiag uninstall`: remove what `bbdiag install` added, and only that; a kept hook is put back."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from bbdiag.commands import install

    return install.apply(args, install=False)
