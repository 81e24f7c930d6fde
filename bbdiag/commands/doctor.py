"""`bbdiag doctor`: what in this repository's git setup will fail to authenticate or leak, with the fix."""

from __future__ import annotations

import argparse
import sys

from bbdiag.render import renderer
from bbdiag.usage import EXIT_EXPLAINED, EXIT_NOTHING, UsageError, as_of, repo_path


def run(args: argparse.Namespace) -> int:
    from bbdiag import doctor, inspector, knowledge

    today = as_of(args.as_of)
    for flag, given in (("--push", args.push), ("--fetch-only", args.fetch_only)):
        if given and not args.online:
            raise UsageError(f"{flag} goes with --online")
    setup = inspector.inspect(repo_path(args.repo))
    findings = doctor.check(setup, knowledge.load(), today, args.remote, args.probe_stored)
    if args.online:
        for remote in setup.remotes:
            if args.remote in (None, remote.name):
                findings = [f for f in findings if f.id != "no-problem"] + doctor.online_checks(setup, remote, push=not args.fetch_only)
    from bbdiag.redact import cut_long_values, redact

    repository = cut_long_values(redact(str(setup.repository))) if setup.repository else None  # a path is any bytes: shown escaped
    renderer(args.format, sys.stdout, "render_findings")(repository, findings, sys.stdout)
    return EXIT_NOTHING if any(f.severity == "error" for f in findings) else EXIT_EXPLAINED
