"""`bbdiag fix`: apply the repair for what doctor finds, with consent (plan, ask, try, change, check).

The plan (bbdiag.repair) is shown first; nothing changes before the user says yes (or `--yes`).
A new token is read hidden from the terminal, or from standard input with `--token-stdin`, never
from argv or the environment; it is tried against the remote before anything is changed, and a
refused token changes nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bbdiag import inspector, knowledge, repair
from bbdiag.redact import redact

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO, TextIO

EXIT_DONE = 0  # fixed, nothing to fix, or --dry-run
EXIT_REFUSED = 1  # the host refused the new credential, the plan was declined, or nothing to undo: nothing changed
EXIT_USAGE = 2  # usage or input error: not a repository, no terminal to ask on, an empty token


class _Stop(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def run(args: argparse.Namespace) -> int:
    out = sys.stdout
    try:
        if args.undo:
            return _undo(out)
        return _fix(args, out)
    except repair.RepairError as exc:
        print(f"bbdiag fix: {redact(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except repair.NotRepairable as exc:
        print(f"bbdiag fix: {redact(exc.title)}", file=out)
        for number, (text, command) in enumerate(exc.steps, 1):
            print(f"  {number}. {redact(text)}" + (f"\n       {redact(command)}" if command else ""), file=out)
        print("Nothing was changed.", file=out)
        return EXIT_REFUSED
    except _Stop as exc:
        print(f"bbdiag fix: {exc}", file=sys.stderr)
        return exc.code


def _undo(out: TextIO) -> int:
    log: list[str] = []
    if not repair.undo(log):
        print("bbdiag fix --undo: there is no fix to undo", file=sys.stderr)
        return EXIT_REFUSED
    for line in log:
        print(line, file=out)
    print("The refused credential the fix erased is not put back, nor any secret it took out of a URL.", file=out)
    return EXIT_DONE


def _fix(args: argparse.Namespace, out: TextIO) -> int:
    k = knowledge.load()
    today = _today(args)
    if args.all:
        directory = Path(args.all)
        if not directory.is_dir():
            raise _Stop(f"--all: {args.all} is not a directory", EXIT_USAGE)
        where = repair.repositories_under(directory)
        if not where:
            raise _Stop(f"--all: no git repository under {args.all}", EXIT_USAGE)
    else:
        where = [Path(args.repo) if args.repo else Path.cwd()]
    if args.from_ is not None:
        if args.all or args.remote:
            raise _Stop("--from fixes the remote the transcript names, in one repository: not with --all or --remote", EXIT_USAGE)
        if args.from_ == "-" and args.token_stdin:
            raise _Stop("--from - and --token-stdin both read standard input: save the transcript to a file", EXIT_USAGE)
        where = []
        with _transcript(args.from_) as transcript:
            plans = [repair.plan_from_transcript(inspector.inspect(Path(args.repo) if args.repo else Path.cwd()), k, today, transcript)]
    else:
        plans = []
    verdicts: repair.Verdicts = {}  # one try per host and account, however many repositories
    for path in where:
        try:
            plans.append(repair.plan(inspector.inspect(path), k, today, args.remote, args.replace, not args.fetch_only, verdicts))
        except repair.RepairError as exc:
            if not args.all:
                raise
            print(f"skipped {path}: {redact(str(exc))}", file=out)
    plans = [p for p in plans if not p.empty]
    if not plans:
        print("Nothing to fix: doctor finds no credential problem and the remotes accept what git sends.", file=out)
        return EXIT_DONE
    for plan in plans:
        _show(plan, out)
    if args.dry_run:
        print("--dry-run: nothing was changed.", file=out)
        return EXIT_DONE
    if not args.yes and not _confirm("Apply these changes? [y/N] "):
        raise _Stop("nothing was changed (not confirmed)", EXIT_REFUSED)

    # One token per host and account, whatever the number of repositories (--all).
    secrets: dict[tuple[str, str, str | None], tuple[str, str]] = {}
    for plan in plans:
        for target in plan.targets:
            key = (target.protocol, target.host, target.known_user)
            if key in secrets:
                continue
            secret = _read_secret(target, args.token_stdin)
            username = args.user or repair.username_for(target, secret, k) or _ask_username(target)
            print(f"Trying the new credential for {username} at {target.label} ({'git push --dry-run' if plan.check_push else 'git ls-remote'})…", file=out)
            works, said = repair.verify(target, username, secret, plan.repository, plan.check_push)
            if not works:
                raise _Stop(f"{target.label} refused the new credential: {_why(said)}. Nothing was changed.", EXIT_REFUSED)
            secrets[key] = (username, secret)

    for plan in plans:
        log: list[str] = []
        credentials = [(t, *secrets[(t.protocol, t.host, t.known_user)]) for t in plan.targets]
        repair.apply(plan, credentials, log)
        for line in log:
            print(redact(line), file=out)
        _check_again(plan, out)
    print("`bbdiag fix --undo` puts back the files this fix changed.", file=out)
    return EXIT_DONE


@contextmanager
def _transcript(name: str) -> Iterator[BinaryIO]:
    """A failed git command's output (`git push 2>&1 | bbdiag fix --from -`), read as a stream:
    bounded like explain's input, in explain's bounded memory."""
    if name == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise _Stop("--from -: pipe git's output in (git push 2>&1 | bbdiag fix --from -) or name a file", EXIT_USAGE)
        yield sys.stdin.buffer
        return
    try:
        handle = open(name, "rb")  # noqa: SIM115 - closed below, after the errors of opening are said
    except IsADirectoryError as exc:
        raise _Stop(f"--from {name}: is a directory", EXIT_USAGE) from exc
    except FileNotFoundError as exc:
        raise _Stop(f"--from {name}: no such file", EXIT_USAGE) from exc
    except OSError as exc:
        raise _Stop(f"--from {name}: cannot be read: {exc.strerror or exc}", EXIT_USAGE) from exc
    with handle:
        yield handle


def _show(plan: repair.Plan, out: TextIO) -> None:
    print(f"bbdiag fix: {plan.repository}", file=out)
    for note in plan.notes:
        print(f"  found: {redact(note)}", file=out)
    print("  the plan:", file=out)
    number = 0
    for change in [c for c in plan.changes if c.secret_removal]:
        number += 1
        _item(out, number, f"{change.what} (in {change.where}; not undone: the secret should never come back)", change.command)
    for target in plan.targets:
        number += 1
        check = "git push --dry-run" if plan.check_push else "git ls-remote"
        _item(
            out,
            number,
            f"replace the credential for {target.label} ({', '.join(target.remotes)}): the new token is tried first with {check}, "
            "and only when the host takes it is the stored one erased and the new one given to your credential helper",
            f"printf '{target.query().replace(chr(10), chr(92) + 'n')}\\n' | git credential reject   # then: git credential approve",
        )
    for change in [c for c in plan.changes if not c.secret_removal]:
        number += 1
        _item(out, number, f"{change.what} (in {change.where})", change.command)
    for move in plan.moves:
        number += 1
        query = move.query().replace(chr(10), chr(92) + "n")
        _item(
            out,
            number,
            f"move the credential for {move.label} out of the plaintext {move.store} into {move.helper} (read from one, handed to the other "
            "through a pipe, then erased from the file; --undo moves it back)",
            f"printf '{query}\\n' | git credential-store --file {move.store} get   # then: git credential-{move.helper} store, "
            f"git credential-store --file {move.store} erase",
        )
    print("  Every file changed after the first step is copied first; `bbdiag fix --undo` restores it.", file=out)


def _item(out: TextIO, number: int, what: str, command: str) -> None:
    print(f"  {number}. {redact(what)}", file=out)
    print(f"       {redact(command)}", file=out)


def _why(stderr: str) -> str:
    from bbdiag import pipeline

    result = pipeline.diagnose_text(stderr)
    if result.diagnoses:
        ((d, remedy),) = pipeline.remedies(result.diagnoses[:1])
        return f"{remedy.title} ({d.cause})"
    lines = [line for line in stderr.strip().splitlines() if line]
    return lines[-1] if lines else "git failed"


def _check_again(plan: repair.Plan, out: TextIO) -> None:
    """git itself, through the user's own helpers, without prompting: does it work now?"""
    from bbdiag import doctor

    setup = inspector.inspect(plan.repository)
    for target in plan.targets:
        for name in target.remotes:
            remote = setup.remote(name)
            if remote is None:
                continue
            checks = doctor.online_checks(setup, remote, plan.check_push)
            failed = [f for f in checks if f.severity == "error"]
            verdict = "works again" if not failed else f"still fails: {failed[0].title}"
            print(f"check: git {'push --dry-run' if plan.check_push else 'ls-remote'} {name} {verdict}", file=out)


# ------------------------------------------------------------------------------ asking the user
def _tty() -> TextIO | None:
    try:
        return open("/dev/tty", "r+", encoding="utf-8")  # the caller closes it
    except OSError:
        return None


def _confirm(question: str) -> bool:
    tty = _tty()
    if tty is None:
        raise _Stop("there is no terminal to ask for consent: review the plan with --dry-run, then run with --yes", EXIT_USAGE)
    with tty:
        tty.write(question)
        tty.flush()
        return tty.readline().strip().lower() in ("y", "yes")


def _read_secret(target: repair.Target, from_stdin: bool) -> str:
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        tty = _tty()
        if tty is None:
            raise _Stop("there is no terminal to read the token from without showing it: pipe it in with --token-stdin", EXIT_USAGE)
        tty.close()
        import getpass

        secret = getpass.getpass(f"New token (or password) for {target.label} (not shown): ")
    if not secret:
        raise _Stop("no token was given: nothing was changed", EXIT_USAGE)
    return secret


def _ask_username(target: repair.Target) -> str:
    tty = _tty()
    if tty is None:
        raise _Stop(f"the user name for {target.label} is not known: give it with --user NAME", EXIT_USAGE)
    with tty:
        tty.write(f"Your user name at {target.label}: ")
        tty.flush()
        name = tty.readline().strip()
    if not name:
        raise _Stop("no user name was given: nothing was changed", EXIT_USAGE)
    return name


def _today(args: argparse.Namespace) -> dt.date:
    try:
        return knowledge.today(args.as_of)
    except ValueError as exc:
        raise _Stop(str(exc), EXIT_USAGE) from exc
