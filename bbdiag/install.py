"""Installing and uninstalling bbdiag's pre-push hook and credential-helper observer.

The bar is the one git, pre-commit and GCM hold: nothing of the user's is lost or changed.
- A hook that was there is kept (moved beside ours as `pre-push.bbdiag-chained`) and runs first,
  with git's exact input and under its own name, so hooks that find themselves or their
  neighbours through "$0" (husky, pre-commit, lefthook, git-lfs) keep working.
- Files in the work tree are never edited: when core.hooksPath points there (a team's committed
  `.githooks/`, husky's `.husky/_`), install says what to add to the project's hook instead.
- A plain install never writes into a folder that the global core.hooksPath makes every
  repository's; `--global` chains every hook git knows, so each repository's own hooks (and
  the server-side hooks of local bare repositories, and updateInstead) work as before.
- A hook that carries bbdiag's marker but that the user has changed is neither overwritten nor
  deleted: its last line is a checksum of what bbdiag wrote.
- Everything bbdiag installs starts bbdiag isolated (`launch`), and gets out of git's way when
  bbdiag is gone.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import stat
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bbdiag import launch

if TYPE_CHECKING:
    from bbdiag.inspector import ConfigEntry

MARKER = "# bbdiag-hook v1: installed by `bbdiag install --hook`; `bbdiag uninstall` removes it"
CHECKSUM = "# bbdiag-checksum: "
CHAINED = "pre-push.bbdiag-chained"
LEGACY = "pre-push.legacy"  # where `pre-commit install` moves the hook it finds (bbdiag's, then)
OBSERVER_MODULE = "bbdiag.observer"
EXIT_BLOCK = 99  # the hook script turns this into a refused push; any other failure lets it through

# Runs a hook under the name "$1" (the name git would have run it by): a shell script is sourced
# by its own shell with $0 set to that name, anything else is run as it is.
RUN_HOOK = """run_hook() {
    name=$1; hook=$2; shift 2
    case $(head -n 1 "$hook" 2>/dev/null) in
        '#!/bin/sh' | '#!/usr/bin/env sh' | '#!/bin/dash') shell=sh ;;
        '#!/bin/bash' | '#!/usr/bin/env bash') shell=bash ;;
        *) shell="" ;;
    esac
    if [ -n "$shell" ] && [ "$name" != "$hook" ]; then
        BBDIAG_HOOK=$hook "$shell" -c '__bbdiag_hook=$BBDIAG_HOOK; unset BBDIAG_HOOK; . "$__bbdiag_hook"' "$name" "$@"
    else
        "$hook" "$@"
    fi
}
"""

HOOK_TEMPLATE = """#!/bin/sh
{marker}
# bbdiag's pre-push preflight: warns of what will fail or leak, blocks only a pushed secret.
# The hook that was here before runs first, with git's exact input and under this hook's name.
# If bbdiag cannot run (uninstalled, its virtualenv gone), the push goes on and one line says why.
hooks=$(dirname -- "$0")
chained="$hooks/{chained}"
{run_hook}
if ! input=$(mktemp "${{TMPDIR:-/tmp}}/bbdiag-pre-push.XXXXXX" 2>/dev/null); then
    echo "bbdiag: pre-push check skipped: no temporary file for git's input" >&2
    if [ -x "$chained" ]; then run_hook "$0" "$chained" "$@"; exit $?; fi
    exit 0
fi
trap 'rm -f "$input"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
cat > "$input"
{own}if [ -x "$chained" ]; then run_hook "$0" "$chained" "$@" < "$input" || exit $?; fi
# git-lfs's own pre-push (`git lfs install` refuses to add it beside another hook): run it when
# git is set up for Git LFS and no hook kept above runs it already.
if command -v git-lfs >/dev/null 2>&1 && [ -n "$(git config --get filter.lfs.process)" ] && ! grep -qs 'git[ -]lfs pre-push' "$chained"{own_lfs}; then
    git lfs pre-push "$@" < "$input" || exit $?
fi
if ! {{ {guard}; }}; then
    echo "bbdiag: pre-push check skipped: bbdiag is no longer installed for {python} (run bbdiag install --hook again, or remove $0)" >&2
    exit 0
fi
{command} hook pre-push "$@"{strict} < "$input"
code=$?
case $code in
    0) exit 0 ;;
    {block}) exit 1 ;;
    130 | 143) exit "$code" ;;  # interrupted: stop, as git would
    *) echo "bbdiag: pre-push check failed (exit $code); pushing anyway" >&2; exit 0 ;;
esac
"""
# With --global, core.hooksPath hides each repository's own hooks folder: run its pre-push too.
OWN_PRE_PUSH = """own="$(git rev-parse --git-common-dir)/hooks/pre-push"
if [ -x "$own" ]; then run_hook "$own" "$own" "$@" < "$input" || exit $?; fi
"""

PASS_THROUGH = """#!/bin/sh
{marker}
# core.hooksPath points every repository here: run the repository's own hook as git would have.
own="$(git rev-parse --git-common-dir)/hooks/$(basename -- "$0")"
if [ -x "$own" ]; then exec "$own" "$@"; fi
{default}"""
# Without a push-to-checkout hook, receive.denyCurrentBranch=updateInstead updates the work tree
# itself; a hook replaces that, so ours does what git would (builtin/receive-pack.c, push_to_deploy).
PUSH_TO_CHECKOUT_DEFAULT = """git update-index -q --ignore-submodules --refresh || exit 1
git diff-files --quiet --ignore-submodules -- || { echo "Working directory has unstaged changes" >&2; exit 1; }
git diff-index --quiet --cached --ignore-submodules HEAD -- || { echo "Working directory has staged changes" >&2; exit 1; }
exec git read-tree -u -m HEAD "$1"
"""
# Every hook git runs (githooks(5)), client and server side, but pre-push, which is ours.
GIT_HOOKS = (
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-commit",
    "pre-merge-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-rebase",
    "post-checkout",
    "post-merge",
    "pre-receive",
    "update",
    "proc-receive",
    "post-receive",
    "post-update",
    "reference-transaction",
    "push-to-checkout",
    "pre-auto-gc",
    "post-rewrite",
    "sendemail-validate",
    "fsmonitor-watchman",
    "p4-changelist",
    "p4-prepare-changelist",
    "p4-post-changelist",
    "p4-pre-submit",
    "post-index-change",
)

# What bbdiag's hook means for the other tools that manage hooks; said when it applies.
NEIGHBOURS = {
    "pre-commit": "pre-commit: `pre-commit install` moves bbdiag's hook to pre-push.legacy and runs it first; both run.",
    "pre-commit-global": "pre-commit: `pre-commit install` refuses while a global core.hooksPath is set; use the bbdiag-pre-push hook "
    "of bbdiag's .pre-commit-hooks.yaml in those repositories, or `bbdiag install --hook` there instead of --global.",
    "husky": "husky sets its own core.hooksPath in the repository, which bypasses this folder: add bbdiag's lines to .husky/pre-push "
    "(bbdiag install --hook in that repository prints them); bbdiag doctor lists repositories that bypass it.",
    "lefthook": "lefthook: `lefthook install` keeps a hook it finds as pre-push.old and does not run it; run `bbdiag install --hook` "
    "after lefthook, so bbdiag chains lefthook's hook.",
    "git-lfs": "git-lfs: bbdiag's hook runs `git lfs pre-push` itself when Git LFS is set up and no kept hook does; or run "
    "`git lfs update --force` and then `bbdiag install --hook` again, which keeps git-lfs's hook and runs it first.",
}


@dataclass(frozen=True)
class Change:
    text: str


class InstallError(Exception):
    """Installing or uninstalling could not be done; the message says why and what to do."""


def _git(args: Sequence[str], cwd: Path | None = None, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise InstallError(done.stderr.strip() or f"git {' '.join(args)} failed")
    return done.stdout.strip()


# ------------------------------------------------------------------------------ the scripts
def render_hook(strict: bool = False, global_: bool = False, guard: str | None = None, command: str | None = None, python: str | None = None) -> str:
    """The pre-push script, ending in the checksum of everything above it."""
    body = HOOK_TEMPLATE.format(
        marker=MARKER,
        chained=CHAINED,
        run_hook=RUN_HOOK,
        own=OWN_PRE_PUSH if global_ else "",
        own_lfs=' && ! grep -qs "git[ -]lfs pre-push" "$own"' if global_ else "",
        guard=launch.sh_guard() if guard is None else guard,
        python=launch.python() if python is None else python,
        command=launch.sh_command(gone=launch.HOOK_GONE) if command is None else command,
        strict=" --strict" if strict else "",
        block=EXIT_BLOCK,
    )
    return _with_checksum(body)


def render_shipped_hook() -> str:
    """hooks/pre-push in the repository: the same script for whichever python3 has bbdiag."""
    return render_hook(
        guard="command -v python3 >/dev/null 2>&1",
        command=launch.sh_command(gone=launch.HOOK_GONE).replace(shlex.quote(launch.python()), "python3", 1),
        python="python3",
    )


def _with_checksum(body: str) -> str:
    return f"{body}{CHECKSUM}{hashlib.sha256(body.encode()).hexdigest()[:16]}\n"


def _pristine(text: str) -> bool:
    """bbdiag's script exactly as bbdiag wrote it (no line added or changed by the user).

    Scripts of bbdiag versions before the checksum carry none; they are replaced as bbdiag's own."""
    if CHECKSUM not in text:
        return True
    body, sep, _ = text.rstrip("\n").rpartition("\n")
    return bool(sep) and _with_checksum(body + "\n") == text


def _pass_through(name: str) -> str:
    return _with_checksum(PASS_THROUGH.format(marker=MARKER, default=PUSH_TO_CHECKOUT_DEFAULT if name == "push-to-checkout" else "exit 0\n"))


def is_ours(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return MARKER in handle.read(4096)
    except OSError:
        return False


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _write_executable(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


# ------------------------------------------------------------------------------ where hooks go
def global_hooks_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "bbdiag" / "hooks"


def _hooks_path_setting(cwd: Path | None) -> tuple[str, str] | None:
    """(scope, value) of the core.hooksPath in effect, or None."""
    line = _git(["config", "--show-scope", "--get", "core.hooksPath"], cwd, check=False)
    scope, _, value = line.partition("\t")
    return (scope, value) if value else None


def _local_hooks_dir(cwd: Path | None) -> Path:
    try:
        path = _git(["rev-parse", "--git-path", "hooks"], cwd)
    except InstallError as exc:
        raise InstallError(f"not in a git repository ({exc}); use --global for every repository") from exc
    return Path(path) if os.path.isabs(path) else (cwd or Path.cwd()) / path


def _work_tree(cwd: Path | None) -> Path | None:
    top = _git(["rev-parse", "--show-toplevel"], cwd, check=False)
    return Path(top).resolve() if top else None


def project_hook_lines() -> str:
    """What to add to a project's own pre-push hook (it runs only where bbdiag is installed)."""
    return (
        "# bbdiag's pre-push preflight, where bbdiag is installed: warns of what will fail, blocks only a pushed secret.\n"
        "# It reads git's list of pushed refs on standard input: if this hook reads it too, save it first\n"
        '# (input=$(cat)) and give it with: printf \'%s\\n\' "$input" | bbdiag hook pre-push "$@"\n'
        "if command -v bbdiag >/dev/null 2>&1; then\n"
        '    bbdiag hook pre-push "$@"\n'
        f"    [ $? -eq {EXIT_BLOCK} ] && exit 1\n"
        "fi\n"
    )


# ------------------------------------------------------------------------------ the hook
def install_hook(cwd: Path | None, global_: bool, strict: bool) -> list[Change]:
    changes: list[Change] = []
    setting = _hooks_path_setting(None if global_ else cwd)
    if global_:
        directory = Path(os.path.expanduser(setting[1])) if setting and setting[0] == "global" else global_hooks_dir()
        if directory == global_hooks_dir():
            changes += _install_pass_throughs(directory)
    else:
        directory = _local_hooks_dir(cwd)
        if setting and setting[0] not in ("local", "worktree"):
            if is_ours(directory / "pre-push"):
                return [
                    Change(
                        f"the pre-push hook is already installed for every repository ({directory / 'pre-push'}, core.hooksPath in your {setting[0]} config)"
                    )
                ]
            raise InstallError(
                f"core.hooksPath is set in your {setting[0]} git config ({setting[1]}): git runs the hooks there for every repository, "
                "so bbdiag does not write into it from one. Install there for every repository with: bbdiag install --hook --global. Nothing changed."
            )
        top = _work_tree(cwd)
        git_dir = Path(_git(["rev-parse", "--path-format=absolute", "--git-common-dir"], cwd)).resolve()
        if setting and top is not None and directory.resolve().is_relative_to(top) and not directory.resolve().is_relative_to(git_dir):
            raise InstallError(
                f"core.hooksPath points into this repository's work tree ({directory}): bbdiag never edits files there (they are the "
                "project's, or a tool's such as husky's, which rewrites them). Nothing changed. Add these lines to the project's "
                "pre-push hook (with husky: .husky/pre-push), or use the bbdiag-pre-push hook with pre-commit:\n\n" + project_hook_lines()
            )
    if directory.exists() and not directory.is_dir():
        raise InstallError(
            f"the hooks folder is {directory}, which is not a folder (core.hooksPath=/dev/null is how hooks are turned off): "
            "git runs no hook from there, so bbdiag installs none. Nothing changed."
        )
    directory.mkdir(parents=True, exist_ok=True)
    hook = directory / "pre-push"
    # Only bbdiag's own global folder stands in for each repository's hooks; a folder of yours keeps its meaning.
    script = render_hook(strict, global_=global_ and directory == global_hooks_dir())
    if hook.exists() and is_ours(hook) and not _pristine(_read(hook)):
        raise InstallError(
            f"{hook} is bbdiag's hook with lines added or changed by you: bbdiag leaves it alone. Move your lines into a hook of your own, remove {hook}, and install again."
        )
    if hook.exists() and not is_ours(hook):
        chained = directory / CHAINED
        if chained.exists():
            raise InstallError(f"{hook} is not bbdiag's and {chained} exists already: move one of them away first")
        hook.rename(chained)
        changes.append(Change(f"kept your existing hook: moved {hook} to {chained}; it runs first, as before, under its own name"))
    if hook.exists() and _read(hook) == script:
        changes.append(Change(f"the pre-push hook is already installed: {hook}"))
        return changes
    verb = "updated" if hook.exists() else "installed"
    _write_executable(hook, script)
    changes.append(Change(f"{verb} the pre-push hook: {hook} (runs {launch.python()} -I, bbdiag hook pre-push{' --strict' if strict else ''})"))
    changes += [Change(text) for text in _neighbour_notes(directory, global_)]
    return changes


def _install_pass_throughs(directory: Path) -> list[Change]:
    directory.mkdir(parents=True, exist_ok=True)
    for name in GIT_HOOKS:
        target = directory / name
        if not target.exists() or (is_ours(target) and _pristine(_read(target))):
            _write_executable(target, _pass_through(name))
    if _git(["config", "--global", "--get", "core.hooksPath"], check=False) == str(directory):
        return []
    _git(["config", "--global", "core.hooksPath", str(directory)])
    return [
        Change(
            f"set core.hooksPath = {directory} in your global git config: git now runs hooks from there, and each of them runs the repository's own hook of that name"
        )
    ]


def _neighbour_notes(directory: Path, global_: bool) -> list[str]:
    chained = directory / CHAINED
    text = _read(chained) if chained.exists() else ""
    notes = []
    if global_:
        notes += [NEIGHBOURS["pre-commit-global"], NEIGHBOURS["husky"]]
    elif "pre-commit" in text:
        notes.append(NEIGHBOURS["pre-commit"])
    if "lefthook" in text:
        notes.append(NEIGHBOURS["lefthook"])
    if _git(["config", "--get", "filter.lfs.process"], directory if directory.is_dir() else None, check=False) and "lfs" not in text:
        notes.append(NEIGHBOURS["git-lfs"])
    return notes


def uninstall_hook(cwd: Path | None, global_: bool) -> list[Change]:
    if global_:
        setting = _hooks_path_setting(None)
        directory = Path(os.path.expanduser(setting[1])) if setting and setting[0] == "global" else global_hooks_dir()
    else:
        directory = _local_hooks_dir(cwd)
    changes: list[Change] = []
    chained = directory / CHAINED
    # pre-commit moves the hook it finds (ours) to pre-push.legacy and runs it from there.
    for name in ("pre-push", LEGACY):
        hook = directory / name
        if not (hook.exists() and is_ours(hook)):
            continue
        if not _pristine(_read(hook)):
            changes.append(Change(f"left {hook} alone: it is bbdiag's hook with lines you added; remove it yourself when you no longer need them"))
            continue
        hook.unlink()
        changes.append(Change(f"removed the pre-push hook {hook}"))
        if chained.exists():
            chained.rename(hook)
            changes.append(Change(f"put your own hook back: {chained} -> {hook}"))
    hook = directory / "pre-push"
    if hook.exists() and not is_ours(hook) and not changes:
        changes.append(Change(f"left {hook} alone: it is not bbdiag's"))
    if global_ and directory == global_hooks_dir():
        for name in GIT_HOOKS:
            target = directory / name
            if target.exists() and is_ours(target) and _pristine(_read(target)):
                target.unlink()
        if _git(["config", "--global", "--get", "core.hooksPath"], check=False) == str(directory):
            _git(["config", "--global", "--unset", "core.hooksPath"])
            changes.append(Change(f"removed core.hooksPath = {directory} from your global git config"))
    return changes


# ------------------------------------------------------------------------------ the observer
def observer_value() -> str:
    """The credential.helper value: a shell function that runs this bbdiag's observer, isolated,
    only while it is installed (git ignores a helper that fails, and this one then says nothing)."""
    return f'!f() {{ {launch.sh_guard()} && exec {launch.sh_command(OBSERVER_MODULE)} "$@"; }}; f'


def _is_observer(value: str) -> bool:
    return OBSERVER_MODULE in value or value.split()[:1] == ["bbdiag"]


def install_observer(cwd: Path | None, global_: bool) -> list[Change]:
    scope = "--global" if global_ else "--local"
    if not global_:
        _local_hooks_dir(cwd)  # fails clearly outside a repository
    current = _git(["config", scope, "--get-all", "credential.helper"], cwd, check=False).splitlines()
    ours = [v for v in current if _is_observer(v)]
    value = observer_value()
    if ours == [value]:
        return [Change(f"the credential-helper observer is already installed ({scope[2:]} config)")]
    changes = []
    if ours:
        _git(["config", scope, "--unset-all", "credential.helper", re.escape(OBSERVER_MODULE) + "|^bbdiag( |$)"], cwd, check=False)
        changes.append(Change(f"replaced an older observer entry in your {scope[2:]} config"))
    _git(["config", scope, "--add", "credential.helper", value], cwd)
    changes.append(Change(f"added credential.helper = {value} to your {scope[2:]} git config (it never supplies a credential; it explains rejected ones)"))
    return changes


def uninstall_observer(cwd: Path | None, global_: bool) -> list[Change]:
    scope = "--global" if global_ else "--local"
    current = _git(["config", scope, "--get-all", "credential.helper"], cwd, check=False).splitlines()
    if not any(_is_observer(v) for v in current):
        return []
    _git(["config", scope, "--unset-all", "credential.helper", re.escape(OBSERVER_MODULE) + "|^bbdiag( |$)"], cwd)
    return [Change(f"removed the credential-helper observer from your {scope[2:]} git config")]


# ------------------------------------------------------------------------------ doctor's view
def stale_installations(hook_directories: Sequence[Path], helper_values: Sequence[str]) -> list[str]:
    """bbdiag entry points that no longer work: an interpreter gone, a hook not executable (doctor reports them)."""
    stale = []
    for directory in hook_directories:
        hook = directory / "pre-push"
        if is_ours(hook):
            if not os.access(hook, os.X_OK):
                stale.append(f"the pre-push hook {hook} is not executable, so git skips it")
            python = _python_of(_read(hook))
            if python and not os.access(python, os.X_OK):
                stale.append(f"the pre-push hook {hook} runs {python}, which is gone")
    for value in helper_values:
        if OBSERVER_MODULE in value:
            python = _python_of(value)
            if python and not os.access(python, os.X_OK):
                stale.append(f"credential.helper = {value} runs {python}, which is gone")
    return stale


def bypassed_global_hook(config: Sequence[ConfigEntry]) -> str | None:
    """How a repository's own core.hooksPath hides bbdiag's global hooks folder, or None."""
    settings = [(e.scope, e.value) for e in config if e.key == "core.hookspath"]
    global_dirs = [value for scope, value in settings if scope in ("global", "system")]
    local = [value for scope, value in settings if scope in ("local", "worktree")]
    if not (global_dirs and local) or not is_ours(Path(os.path.expanduser(global_dirs[-1])) / "pre-push"):
        return None
    if is_ours(Path(local[-1]) / "pre-push") or Path(local[-1]) == Path(os.path.expanduser(global_dirs[-1])):
        return None
    return f"core.hooksPath = {local[-1]} in this repository's config overrides the global {global_dirs[-1]}"


def _python_of(text: str) -> str | None:
    """The interpreter a bbdiag entry point starts (`... PYTHON -I -m bbdiag...`)."""
    match = re.search(r"(\S+) -I -[mc] |(?:^|!)\"([^\"]+)\" -m bbdiag", text, re.MULTILINE)
    if not match:
        return None
    words = shlex.split(match.group(1) or f'"{match.group(2)}"')
    return words[0] if words else None
