"""`bbdiag install`: the pre-push hook and/or the credential-helper observer, saying what changed."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    return apply(args, install=True)


def apply(args: argparse.Namespace, install: bool) -> int:
    """Install or uninstall what the options name (both when neither is named)."""
    from pathlib import Path

    from bbdiag import install as integrations
    from bbdiag.usage import UsageError, repo_path

    both = not args.hook and not args.credential_observer
    cwd = repo_path(args.repo) or Path.cwd()
    changes: list[integrations.Change] = []
    try:
        if args.hook or both:
            changes += integrations.install_hook(cwd, args.global_, args.strict) if install else integrations.uninstall_hook(cwd, args.global_)
        if args.credential_observer or both:
            changes += integrations.install_observer(cwd, args.global_) if install else integrations.uninstall_observer(cwd, args.global_)
    except integrations.InstallError as exc:
        raise UsageError(str(exc)) from exc
    except OSError as exc:  # a read-only hooks folder, a full disk: what changed before is said below
        raise UsageError(f"{exc.filename or 'a file'}: {exc.strerror or exc}; nothing more was changed") from exc
    finally:
        for change in changes:
            print(f"bbdiag {args.name}: {change.text}")
    if not changes:
        print(f"bbdiag {args.name}: nothing of bbdiag's was installed here: nothing changed")
    return 0
