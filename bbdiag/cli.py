"""Command line: the parser, a dispatch into bbdiag/commands/ (one module per subcommand), one error handler."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Sequence

from bbdiag import __version__
from bbdiag.usage import EXIT_EXPLAINED, EXIT_INTERNAL, EXIT_USAGE, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from argparse import Namespace

    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    from types import SimpleNamespace as Namespace  # what argparse.Namespace is to a command (attributes), without argparse

EXIT_CODES_HELP = """exit codes:
  0  explain: a failure was explained; doctor: no error finding; scan: nothing gated
  1  explain: nothing recognised in the input; doctor: an error finding; scan: --fail-on matched;
     fix: the host refused the new token or the plan was not confirmed (nothing changed)
  2  usage or input error: a bad option, a missing or unreadable file, a directory
  3  bbdiag itself failed (a bug: please report it with the command you ran)
  run exits with the command's own code
"""


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    args = plain_explain(words)
    if args is None:
        parser = _parser(words)
        try:
            args = parser.parse_args(words)
        except SystemExit as exc:  # argparse has printed its message
            return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        code = command(args)
        sys.stdout.flush()  # here, so that a full disk is reported below, not at exit
        return code
    except UsageError as exc:
        from bbdiag.redact import redact

        print(f"bbdiag {args.name}: {redact(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"bbdiag {args.name}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): nothing more to say, and nobody to say it to.
        _silence_stdout()
        return EXIT_EXPLAINED
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRORS:
            return _internal_error(args, exc)
        # stdout on a full disk (`> /dev/full`), over quota, on a failing device.
        _silence_stdout()
        print(f"bbdiag {args.name}: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        return _internal_error(args, exc)


_OUTPUT_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS})


def _internal_error(args: argparse.Namespace, exc: Exception) -> int:
    from bbdiag.redact import redact

    print(f"bbdiag {args.name}: internal error: {type(exc).__name__}: {redact(str(exc))}", file=sys.stderr)
    print("This is a bug in bbdiag; please report it with the command you ran (BBDIAG_DEBUG=1 shows where).", file=sys.stderr)
    if os.environ.get("BBDIAG_DEBUG"):
        raise exc
    return EXIT_INTERNAL


# explain's options that take a value, as _add_explain declares them (their attribute), and its formats.
_EXPLAIN_VALUES = {"--format": "format", "--repo": "repo", "--as-of": "as_of"}
_EXPLAIN_FORMATS = ("auto", "terminal", "text", "json")


def plain_explain(words: Sequence[str]) -> Namespace | None:
    """explain's usual command lines (`explain [FILE] [--format F] [--repo DIR] [--no-repo] [--as-of DATE]`,
    each at most once, every word whole) as argparse parses them, without argparse: importing it,
    building explain's parser and parsing were 23M instructions, a tenth of `git push 2>&1 | bbdiag
    explain`. Anything else (help, an abbreviation, `--opt=value`, a value that starts with `-`, a
    repeated option, any error) is None: argparse parses it, and says what is wrong in its words.
    tests/test_cli_plain_explain.py holds the two alike."""
    if not words or words[0] != "explain":
        return None
    found: dict[str, str | bool] = {}
    rest = iter(words[1:])
    for word in rest:
        value: str | bool
        if word == "--no-repo":
            key, value = "no_repo", True
        elif word in _EXPLAIN_VALUES:
            key, value = _EXPLAIN_VALUES[word], next(rest, "-")  # "-": no value, argparse's to say so
            if value.startswith("-"):
                return None
        elif word == "-" or not word.startswith("-"):
            key, value = "file", word
        else:
            return None
        if key in found:
            return None
        found[key] = value
    if found.get("format", "auto") not in _EXPLAIN_FORMATS:
        return None
    defaults = {"file": "-", "format": "auto", "repo": None, "no_repo": False, "as_of": None}
    return Namespace(**{**defaults, **found}, command=_command("explain"), name="explain")


def _formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's formatter, with the width looked up here: its own lookup imports shutil on every run."""
    import argparse

    try:
        width = os.get_terminal_size(sys.stdout.fileno()).columns - 2
    except (OSError, ValueError, AttributeError):
        width = 78
    return argparse.RawDescriptionHelpFormatter(prog, width=max(40, min(width, 118)))


def _parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The whole command line; when `argv` starts with a subcommand, only that one's parser (building
    all ten cost a tenth of explain's start-up, and a run parses one: its --help and errors are the same)."""
    import argparse  # here: plain_explain parses explain's usual command lines without it

    parser = argparse.ArgumentParser(
        prog="bbdiag",
        description="Explain why a git push, pull or clone failed to authenticate, and exactly what to type to fix it.",
        epilog="Start with:  git push 2>&1 | bbdiag explain\n\n" + EXIT_CODES_HELP,
        formatter_class=_formatter,
    )
    parser.add_argument("--version", action="version", version=f"bbdiag {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    wanted = argv[0] if argv and argv[0] in _COMMANDS else None
    for name, add in _COMMANDS.items():
        if wanted in (None, name):
            add(sub, name)
    return parser


def _add_explain(sub: Subcommands, _: str) -> None:
    explain = sub.add_parser(
        "explain",
        help="explain a failed git command's output",
        description="Read the output of a failed git command and say what went wrong and what to type to fix it.",
        epilog="examples:\n  git push 2>&1 | bbdiag explain\n  bbdiag explain saved-output.txt\n  bbdiag explain --format json ci.log\n\n"
        "json: each diagnosis has cause, host, auth, title, why, evidence, remote, remedy, docs and alternatives\n"
        "  (the other causes the text fits, each with a check whose command tells them apart; [] when clear)\n\n" + EXIT_CODES_HELP,
        formatter_class=_formatter,
    )
    explain.add_argument("file", nargs="?", default="-", help="a file with git's output; '-' or nothing: standard input")
    _add_output_options(explain)
    explain.add_argument("--repo", metavar="PATH", help="the repository whose setup fits the remedy (default: the current directory's)")
    explain.add_argument("--no-repo", action="store_true", help="do not look at any repository: advice from the output alone")
    _add_as_of(explain)
    explain.set_defaults(command=_command("explain"), name="explain")


def _add_scan(sub: Subcommands, _: str) -> None:
    scan = sub.add_parser(
        "scan",
        help="find and explain every git failure in CI logs (files, folders, .gz, .zip, stdin)",
        description="Find every failed git command in build logs and explain each: files, folders (recursive), .gz files, "
        "the .zip archives CI systems hand out for a run's logs, or standard input. Memory stays bounded whatever the size; "
        "several files use every core.",
        epilog="formats: terminal, text, json, jsonl, sarif (SARIF 2.1.0), github (workflow commands; --summary writes the "
        "Markdown job summary, default $GITHUB_STEP_SUMMARY), gitlab (Code Quality report), junit, bitbucket (Code Insights "
        "report and annotations)\n\nexit codes:\n  0  nothing found, or found but not gated by --fail-on\n  1  --fail-on matched\n"
        "  2  usage or input error\n",
        formatter_class=_formatter,
    )
    scan.add_argument("paths", nargs="*", metavar="PATH", help="log files, folders, .gz or .zip; '-' or nothing: standard input")
    scan.add_argument("--format", choices=("auto", "terminal", "text", "json", "jsonl", "sarif", "github", "gitlab", "junit", "bitbucket"), default="auto")
    scan.add_argument("--include", action="append", default=[], metavar="GLOB", help="in folders, only files matching GLOB (repeatable)")
    scan.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="in folders, skip files matching GLOB (repeatable)")
    scan.add_argument("--fail-on", choices=("none", "auth", "any"), default="none", help="exit 1 when a credential problem (auth) or any failure was found")
    scan.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    scan.add_argument("--summary", metavar="FILE", help="with --format github: also write a Markdown job summary (default: $GITHUB_STEP_SUMMARY)")
    scan.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="processes for several files or the parts of a large log (default: one per core)")
    _add_as_of(scan)
    scan.set_defaults(command=_command("scan"), name="scan")


def _add_doctor(sub: Subcommands, _: str) -> None:
    doctor = sub.add_parser(
        "doctor",
        help="check this repository's git setup for what will fail to authenticate",
        description="Check the remotes, credential helpers, stored credentials, SSH keys and known hosts that git will use, "
        "and say what will fail or leak, with the fix. Offline unless --online.",
        epilog="exit codes:\n  0  no error-severity finding\n  1  an error-severity finding\n  2  usage error\n",
        formatter_class=_formatter,
    )
    import argparse

    doctor.add_argument("--remote", metavar="NAME", help="check only this remote")
    doctor.add_argument("--repo", metavar="PATH", help="the repository to check (default: the current directory's)")
    doctor.add_argument(
        "--online",
        action="store_true",
        help="also try each remote, non-interactively and changing nothing: git ls-remote (fetch) and git push --dry-run "
        "(push: a read-only token passes ls-remote and fails here)",
    )
    doctor.add_argument("--fetch-only", action="store_true", help="with --online: only git ls-remote (a clone you never push from)")
    doctor.add_argument("--push", action="store_true", help=argparse.SUPPRESS)  # --online checks pushing since issue 11; kept for old scripts
    doctor.add_argument("--probe-stored", action="store_true", help="ask the configured credential helpers what they hold (never prompts; never shows it)")
    _add_as_of(doctor)
    _add_output_options(doctor)
    doctor.set_defaults(command=_command("doctor"), name="doctor")


def _add_fix(sub: Subcommands, _: str) -> None:
    fix = sub.add_parser(
        "fix",
        help="repair what doctor finds: replace a refused credential, take secrets out of URLs (shows the plan and asks first)",
        description="Apply the repair for what doctor finds in this repository's setup (and for a remote that refuses what git "
        "sends now): take secrets out of remote URLs and insteadOf rules, replace a refused credential (the new token is read "
        "hidden, tried against the remote with a one-shot credential, and only then stored by your own credential helper with "
        "git credential approve, with the user name the host needs), and configure a credential helper when there is none "
        "(an encrypted one instead of the plaintext store when one is installed). The plan is shown first and nothing changes "
        "before you confirm. Every configuration file it changes is backed up; --undo restores the last fix.",
        epilog="examples:\n  bbdiag fix --dry-run\n  bbdiag fix\n  git push 2>&1 | bbdiag fix --from -\n  pass show bitbucket/token | bbdiag fix --yes --token-stdin\n"
        "  bbdiag fix --all ~/src        # every repository under ~/src, one token per host and account\n  bbdiag fix --undo\n\n"
        "exit codes:\n  0  fixed, nothing to fix, or --dry-run\n"
        "  1  the host refused the new token, the plan was not confirmed, nothing to undo, or --from names a failure fix does\n"
        "     not repair (explain's remedy is printed): nothing was changed\n"
        "  2  usage or input error: not a repository, no terminal to ask on and no --yes/--token-stdin, no token given\n"
        "  3  bbdiag itself failed (a bug: please report it)\n",
        formatter_class=_formatter,
    )
    fix.add_argument("--remote", metavar="NAME", help="fix only this remote (default: every remote)")
    fix.add_argument(
        "--from",
        dest="from_",
        metavar="FILE",
        help="repair what explain finds in a failed command's output ('-': standard input): the credential the host refused, "
        "for the remote the output names, tried the way the failed command needs (a push: git push --dry-run)",
    )
    fix.add_argument("--repo", metavar="PATH", help="the repository to fix (default: the current directory's)")
    fix.add_argument("--all", metavar="DIR", help="every repository under DIR; one token is asked once per host and account")
    fix.add_argument("--yes", "-y", action="store_true", help="apply the plan without asking")
    fix.add_argument("--dry-run", "-n", action="store_true", help="print the plan and change nothing")
    fix.add_argument("--token-stdin", action="store_true", help="read the new token from the first line of standard input (never from argv or the environment)")
    fix.add_argument("--user", metavar="NAME", help="the user name git sends with the new token (default: the one the host needs, from your setup)")
    fix.add_argument("--replace", action="store_true", help="replace the credential even when the remote still takes the current one")
    fix.add_argument("--fetch-only", action="store_true", help="try the new token with git ls-remote instead of git push --dry-run (a read-only token)")
    fix.add_argument("--undo", action="store_true", help="restore the files the last fix changed and erase the credential it stored")
    _add_as_of(fix)
    fix.set_defaults(command=_command("fix"), name="fix")


def _add_run(sub: Subcommands, _: str) -> None:
    import argparse

    run = sub.add_parser(
        "run",
        help="run a git command, show its output live, and explain it if it fails",
        description="Run COMMAND (usually git push/pull/fetch/clone) with its output shown live (git keeps its progress "
        "display on a terminal); if it fails, explain the failure. Exits with COMMAND's own exit code, or dies by the "
        "signal that ended it.",
        epilog="examples:\n  bbdiag run -- git push origin main\n  bbdiag run --format json -- git push > explained.json\n\n"
        "exit code: the command's own (127: not found)\n",
        formatter_class=_formatter,
    )
    run.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- COMMAND ...")
    _add_output_options(run)
    run.add_argument("--output", "-o", metavar="FILE", help="write the explanation to FILE (default: stderr after the command's output; json: stdout)")
    run.set_defaults(command=_command("run"), name="run")


def _add_shell_init(sub: Subcommands, _: str) -> None:
    shell = sub.add_parser("shell-init", formatter_class=_formatter, help="print shell code that routes git push/pull/fetch/clone through bbdiag run")
    shell.add_argument("shell", choices=("bash", "zsh", "fish"))
    shell.set_defaults(command=_command("shell_init"), name="shell-init")


def _add_hook(sub: Subcommands, _: str) -> None:
    hook = sub.add_parser("hook", formatter_class=_formatter, help="the pre-push preflight that `install --hook` runs (git calls it)")
    hook.add_argument("name", choices=("pre-push",))
    hook.add_argument("remote", nargs="?", default="")
    hook.add_argument("url", nargs="?", default="")
    hook.add_argument("--strict", action="store_true", help="refuse the push on any warning, not only a pushed secret")
    hook.add_argument("--pre-commit", action="store_true", help="run under the pre-commit framework (refs from PRE_COMMIT_* variables)")
    hook.set_defaults(command=_command("hook"), name="hook")


def _add_installer(sub: Subcommands, verb: str) -> None:
    import argparse

    installer = sub.add_parser(
        verb,
        formatter_class=_formatter,
        help=f"{verb} the pre-push hook and/or the credential-helper observer",
        description=(
            "Install the pre-push preflight hook (an existing hook is kept and runs first; core.hooksPath is respected) and the "
            "credential-helper observer (explains a rejected credential the moment git rejects it). Without --hook or "
            "--credential-observer, both. Says exactly what it changed."
            if verb == "install"
            else "Remove what `bbdiag install` added, and only that: a chained hook is put back."
        ),
    )
    installer.add_argument("--hook", action="store_true", help="the pre-push preflight hook")
    installer.add_argument("--credential-observer", action="store_true", help="the credential-helper observer (credential.helper)")
    installer.add_argument("--global", dest="global_", action="store_true", help="for every repository (global git config) instead of this one")
    installer.add_argument("--repo", metavar="PATH", help="the repository (default: the current directory's)")
    installer.add_argument("--strict", action="store_true", help="the hook refuses a push on any warning" if verb == "install" else argparse.SUPPRESS)
    installer.set_defaults(command=_command(verb), name=verb)


def _add_patterns(sub: Subcommands, _: str) -> None:
    patterns = sub.add_parser(
        "patterns",
        formatter_class=_formatter,
        help="list the pattern library, or test it on a file",
        description="List every pattern (id, cause, host, last checked), or show which pattern matched which line of FILE.",
    )
    patterns.add_argument("--test", metavar="FILE", help="show, for each line of FILE, the patterns that match it")
    patterns.add_argument("--check", action="store_true", help="compile every pattern and run its examples")
    patterns.add_argument("--sources", action="store_true", help="also list where each pattern's wording comes from")
    patterns.add_argument("--format", choices=("text", "json"), default="text", help="text (80 columns) or json (every field)")
    patterns.add_argument("--host", metavar="HOST", help="only patterns for this host id (its own wording, a hint, or a cause it has there)")
    patterns.add_argument("--cause", metavar="CAUSE", help="only patterns that can lead to this cause id")
    patterns.set_defaults(command=_command("patterns"), name="patterns")


_COMMANDS: dict[str, Callable[[Subcommands, str], None]] = {
    "explain": _add_explain,
    "scan": _add_scan,
    "doctor": _add_doctor,
    "fix": _add_fix,
    "run": _add_run,
    "shell-init": _add_shell_init,
    "hook": _add_hook,
    "install": _add_installer,
    "uninstall": _add_installer,
    "patterns": _add_patterns,
}


def _add_as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", metavar="DATE", help="judge by the host policies in force on DATE (YYYY-MM-DD); also $BBDIAG_AS_OF")


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("auto", "terminal", "text", "json"),
        default="auto",
        help="auto (the default): colour on a terminal, plain text otherwise or when NO_COLOR is set",
    )


# ------------------------------------------------------------------------------ commands in bbdiag/commands/
def _command(name: str) -> Callable[[argparse.Namespace], int]:
    """The body of a subcommand that lives in bbdiag/commands/NAME.py, imported only when it runs."""

    def run(args: argparse.Namespace) -> int:
        module = __import__(f"bbdiag.commands.{name}", fromlist=["run"])  # not importlib: its import is 1.7M instructions
        result: int = module.run(args)
        return result

    return run


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
