"""`bbdiag shell-init SHELL`: shell code that routes git push/pull/fetch/clone through `bbdiag run`."""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace) -> int:
    from bbdiag import run as runner

    sys.stdout.write(runner.shell_init(args.shell))
    return 0
