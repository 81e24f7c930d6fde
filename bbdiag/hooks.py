"""Inside git: the pre-push preflight, and installing/uninstalling bbdiag's hook and observer.

pre-push runs only after authentication succeeded (git-messages.md), so it cannot explain its
own push failing: it is a preflight for what fails or harms next. It reads only the pushed range
(pygit2 walks from the pushed tips, hiding what the remote has), so its cost grows with the push,
not with the history. Warnings by default; it blocks a push only for a secret in the outgoing
commits (or for anything with --strict). When bbdiag itself fails, the push goes on and one line
says why.

Installing never destroys a user's hook: an existing pre-push hook is kept and chained (run first,
with the same arguments and input), core.hooksPath is respected, and uninstall removes only what
carries bbdiag's marker, putting the chained hook back.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import pygit2

MARKER = "# bbdiag-hook v1: installed by `bbdiag install --hook`; `bbdiag uninstall` removes it"
CHAINED = "pre-push.bbdiag-chained"
OBSERVER_MODULE = "bbdiag.observer"
EXIT_BLOCK = 99  # the hook script turns this into a refused push; any other failure lets it through
ZERO = "0" * 40
MAX_COMMITS = 20_000
MAX_SCANNED_BLOB = 4 << 20  # larger files are checked for size, not read line by line
SIZE_LIMITS = {"github": 100 * 1000 * 1000}  # GitHub refuses files over 100 MB (GH001)
SIZE_WARNING = {"github": 50 * 1000 * 1000}  # and warns from 50 MB

HOOK_TEMPLATE = """#!/bin/sh
{marker}
# A pre-push preflight: warns of what will fail or leak, blocks only a pushed secret.
# If bbdiag itself cannot run, the push goes on and one line says why.
hooks=$(dirname "$0")
input=$(cat)
if [ -x "$hooks/{chained}" ]; then
    printf '%s\\n' "$input" | "$hooks/{chained}" "$@" || exit $?
fi
python={python}
if ! command -v "$python" >/dev/null 2>&1; then
    echo "bbdiag: pre-push check skipped: $python is gone (run: bbdiag install --hook)" >&2
    exit 0
fi
printf '%s\\n' "$input" | "$python" -m bbdiag hook pre-push "$@"{strict}
code=$?
if [ "$code" -eq {block} ]; then exit 1; fi
if [ "$code" -ne 0 ]; then echo "bbdiag: pre-push check failed (exit $code); pushing anyway" >&2; fi
exit 0
"""


@dataclass(frozen=True)
class Warning_:
    text: str
    blocking: bool = False


# ------------------------------------------------------------------------------ token shapes in commits
def token_kinds(text: str) -> list[str]:
    """The kinds of token in `text` (never the tokens), by the host modules' token shapes."""
    from bbdiag import hosts

    return hosts.token_names_in_text(text)


# ------------------------------------------------------------------------------ pre-push
def pre_push(remote: str, url: str, updates: Sequence[str], strict: bool, out: TextIO) -> int:
    """The hook: 0 lets the push go on, EXIT_BLOCK refuses it. Never raises."""
    from bbdiag.redact import redact

    try:
        warnings = list(preflight(remote, url, updates))
    except Exception as exc:
        out.write(f"bbdiag: pre-push check skipped: {type(exc).__name__}: {redact(str(exc))}\n")
        return 0
    for warning in warnings:
        out.write(("bbdiag: BLOCKED: " if warning.blocking or strict else "bbdiag: warning: ") + redact(warning.text) + "\n")
    if any(w.blocking for w in warnings) or (strict and warnings):
        out.write(
            "bbdiag: push refused by the pre-push preflight. Fix the commits above (remove the secret, revoke it), or skip once with: git push --no-verify\n"
        )
        return EXIT_BLOCK
    return 0


def preflight(remote: str, url: str, updates: Sequence[str]) -> Iterator[Warning_]:
    from bbdiag import inspector, remote_urls
    from bbdiag.inspector import KIND_NAMES

    setup = inspector.inspect()
    parsed = remote_urls.parse(url) if url else None
    host_id = parsed.host_id if parsed else "unknown"
    for secret in setup.secrets_in_urls:
        if secret.remote == remote:
            yield Warning_(
                f"{remote}'s {secret.where} holds {KIND_NAMES[secret.kind]} in plain text ({secret.origin}); set the URL without it: bbdiag doctor shows how."
            )
    kind = inspector.secret_kind_in_url(url) if url else None
    if kind and not any(s.remote == remote for s in setup.secrets_in_urls):
        yield Warning_(f"the URL being pushed to holds {KIND_NAMES[kind]} in plain text.")
    if parsed is not None and parsed.host:
        for stored in setup.stored:
            if stored.host == parsed.host and stored.line:
                yield Warning_(f"{stored.store}:{stored.line} keeps {KIND_NAMES[stored.kind]} for {stored.host} unencrypted (the store helper).")
        if host_id == "bitbucket-cloud" and parsed.is_ssh and setup.ssh.old_bitbucket_key:
            yield Warning_(f"known_hosts pins Bitbucket's retired RSA host key ({', '.join(setup.ssh.old_bitbucket_key)}): ssh-keygen -R bitbucket.org")
    if setup.git_dir is not None:
        yield from scan_pushed_commits(setup.git_dir, remote, updates, host_id)


def scan_pushed_commits(git_dir: Path, remote: str, updates: Sequence[str], host_id: str) -> Iterator[Warning_]:
    """Tokens in added lines and oversized files, in the commits being pushed and only those."""
    import pygit2
    from pygit2.enums import SortMode

    repo = pygit2.Repository(str(git_dir))
    seen: set[str] = set()
    remote_tips = [
        ref.target for ref in repo.references.objects if ref.name.startswith(f"refs/remotes/{remote}/") and ref.type == pygit2.enums.ReferenceType.DIRECT
    ]
    limit, warn_at = SIZE_LIMITS.get(host_id), SIZE_WARNING.get(host_id)
    for line in updates:
        fields = line.split()
        if len(fields) != 4 or fields[1] == ZERO:
            continue  # a malformed line, or a deletion: nothing is sent
        local_sha, remote_sha = fields[1], fields[3]
        walker = repo.walk(local_sha, SortMode.TOPOLOGICAL)
        if remote_sha != ZERO and remote_sha in repo:
            walker.hide(remote_sha)
        else:  # a new branch, or the remote's tip was never fetched: hide all the remote is known to have
            for tip in remote_tips:
                walker.hide(tip)
        for count, commit in enumerate(walker):
            if count >= MAX_COMMITS:
                yield Warning_(f"more than {MAX_COMMITS} commits in this push: only the first {MAX_COMMITS} were checked.")
                break
            if str(commit.id) in seen:
                continue
            seen.add(str(commit.id))
            yield from _scan_commit(repo, commit, limit, warn_at)


def _scan_commit(repo: pygit2.Repository, commit: pygit2.Commit, limit: int | None, warn_at: int | None) -> Iterator[Warning_]:
    import pygit2

    short = str(commit.id)[:10]
    diff = commit.parents[0].tree.diff_to_tree(commit.tree) if commit.parents else commit.tree.diff_to_tree(swap=True)
    for index, delta in enumerate(diff.deltas):
        if delta.status_char() not in "AMRC" or delta.new_file.id == pygit2.Oid(hex=ZERO):
            continue
        path = delta.new_file.path
        blob = repo[delta.new_file.id]
        size = blob.size if isinstance(blob, pygit2.Blob) else 0
        if limit and size > limit:
            yield Warning_(f"commit {short} adds {path} ({size / 1e6:.1f} MB): the host refuses files over {limit / 1e6:.0f} MB (use Git LFS).")
        elif warn_at and size > warn_at:
            yield Warning_(f"commit {short} adds {path} ({size / 1e6:.1f} MB): over the host's recommended {warn_at / 1e6:.0f} MB.")
        if size > MAX_SCANNED_BLOB or delta.is_binary:
            continue
        patch = diff[index]
        if patch is None:
            continue
        for hunk in patch.hunks:
            for diff_line in hunk.lines:
                if diff_line.origin != "+":
                    continue
                for kind in dict.fromkeys(token_kinds(diff_line.content)):
                    yield Warning_(f"commit {short} adds {kind} in {path}:{diff_line.new_lineno}. Remove it from the commit and revoke it.", blocking=True)


# ------------------------------------------------------------------------------ install / uninstall
@dataclass(frozen=True)
class Change:
    text: str


def _git(args: Sequence[str], cwd: Path | None = None, check: bool = True) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise InstallError(done.stderr.strip() or f"git {' '.join(args)} failed")
    return done.stdout.strip()


class InstallError(Exception):
    """Installing or uninstalling could not be done; the message says why."""


def render_hook(python: str, strict: bool = False) -> str:
    """The pre-push script; hooks/pre-push in the repository is this with python=python3."""
    return HOOK_TEMPLATE.format(marker=MARKER, chained=CHAINED, python=python, strict=" --strict" if strict else "", block=EXIT_BLOCK)


def hooks_dir(cwd: Path | None, global_: bool) -> Path:
    """Where git looks for hooks: core.hooksPath when set (git rev-parse --git-path hooks honours it)."""
    if global_:
        configured = _git(["config", "--global", "--get", "core.hooksPath"], check=False)
        if configured:
            return Path(os.path.expanduser(configured))
        return _global_hooks_dir()
    try:
        path = _git(["rev-parse", "--git-path", "hooks"], cwd)
    except InstallError as exc:
        raise InstallError(f"not in a git repository ({exc}); use --global for every repository") from exc
    return (cwd or Path.cwd()) / path if not os.path.isabs(path) else Path(path)


def _global_hooks_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "bbdiag" / "hooks"


PASS_THROUGH = """#!/bin/sh
{marker}
# core.hooksPath points every repository here; run the repository's own hook as git would have.
own="$(git rev-parse --git-common-dir)/hooks/$(basename "$0")"
if [ -x "$own" ]; then exec "$own" "$@"; fi
exit 0
"""
CLIENT_HOOKS = (
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
    "post-rewrite",
    "reference-transaction",
    "push-to-checkout",
    "sendemail-validate",
    "fsmonitor-watchman",
    "post-index-change",
)
GLOBAL_CHAIN = """# core.hooksPath hides each repository's own hooks: run its pre-push first.
own="$(git rev-parse --git-common-dir)/hooks/pre-push"
if [ -x "$own" ]; then printf '%s\\n' "$input" | "$own" "$@" || exit $?; fi
"""


def install_hook(cwd: Path | None, global_: bool, strict: bool) -> list[Change]:
    directory = hooks_dir(cwd, global_)
    changes: list[Change] = []
    ours_global = global_ and directory == _global_hooks_dir()
    if ours_global and not _git(["config", "--global", "--get", "core.hooksPath"], check=False):
        directory.mkdir(parents=True, exist_ok=True)
        for name in CLIENT_HOOKS:
            target = directory / name
            if not target.exists():
                _write_executable(target, PASS_THROUGH.format(marker=MARKER))
        _git(["config", "--global", "core.hooksPath", str(directory)])
        changes.append(Change(f"set core.hooksPath = {directory} in your global git config (hooks there run each repository's own hooks too)"))
    directory.mkdir(parents=True, exist_ok=True)
    hook = directory / "pre-push"
    script = render_hook(shlex.quote(sys.executable), strict)
    if global_:
        script = script.replace("input=$(cat)\n", "input=$(cat)\n" + GLOBAL_CHAIN, 1)
    if hook.exists() and not _is_ours(hook):
        chained = directory / CHAINED
        if chained.exists():
            raise InstallError(f"{hook} is not bbdiag's and {chained} exists already: move one of them away first")
        hook.rename(chained)
        changes.append(Change(f"kept your existing hook: moved {hook} to {chained}; it runs first, as before"))
    if hook.exists() and hook.read_text(encoding="utf-8", errors="replace") == script:
        changes.append(Change(f"the pre-push hook is already installed: {hook}"))
        return changes
    verb = "updated" if hook.exists() else "installed"
    _write_executable(hook, script)
    changes.append(Change(f"{verb} the pre-push hook: {hook} (runs {sys.executable} -m bbdiag hook pre-push{' --strict' if strict else ''})"))
    return changes


def uninstall_hook(cwd: Path | None, global_: bool) -> list[Change]:
    directory = hooks_dir(cwd, global_)
    hook, chained = directory / "pre-push", directory / CHAINED
    changes: list[Change] = []
    if hook.exists() and _is_ours(hook):
        hook.unlink()
        changes.append(Change(f"removed the pre-push hook {hook}"))
        if chained.exists():
            chained.rename(hook)
            changes.append(Change(f"put your own hook back: {chained} -> {hook}"))
    elif hook.exists():
        changes.append(Change(f"left {hook} alone: it is not bbdiag's"))
    if global_ and directory == _global_hooks_dir():
        for name in CLIENT_HOOKS:
            target = directory / name
            if target.exists() and _is_ours(target):
                target.unlink()
        if _git(["config", "--global", "--get", "core.hooksPath"], check=False) == str(directory):
            _git(["config", "--global", "--unset", "core.hooksPath"])
            changes.append(Change(f"removed core.hooksPath = {directory} from your global git config"))
    return changes


def _is_ours(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return MARKER in handle.read(4096)
    except OSError:
        return False


def _write_executable(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def observer_value() -> str:
    """The credential.helper value: this interpreter, by absolute path."""
    return f'!"{sys.executable}" -m {OBSERVER_MODULE}'


def install_observer(cwd: Path | None, global_: bool) -> list[Change]:
    scope = "--global" if global_ else "--local"
    if not global_:
        hooks_dir(cwd, False)  # fails clearly outside a repository
    current = _git(["config", scope, "--get-all", "credential.helper"], cwd, check=False).splitlines()
    ours = [v for v in current if OBSERVER_MODULE in v or v.split()[:1] == ["bbdiag"]]
    value = observer_value()
    if ours == [value]:
        return [Change(f"the credential-helper observer is already installed ({scope[2:]} config)")]
    changes = []
    if ours:
        _git(["config", scope, "--unset-all", "credential.helper", re.escape(OBSERVER_MODULE)], cwd, check=False)
        changes.append(Change(f"replaced an older observer entry in your {scope[2:]} config"))
    _git(["config", scope, "--add", "credential.helper", value], cwd)
    changes.append(Change(f"added credential.helper = {value} to your {scope[2:]} git config (it never supplies a credential; it explains rejected ones)"))
    return changes


def uninstall_observer(cwd: Path | None, global_: bool) -> list[Change]:
    scope = "--global" if global_ else "--local"
    current = _git(["config", scope, "--get-all", "credential.helper"], cwd, check=False).splitlines()
    if not any(OBSERVER_MODULE in v for v in current):
        return []
    _git(["config", scope, "--unset-all", "credential.helper", re.escape(OBSERVER_MODULE)], cwd)
    return [Change(f"removed the credential-helper observer from your {scope[2:]} git config")]


def stale_installations(hook_directories: Sequence[Path], helper_values: Sequence[str]) -> list[str]:
    """bbdiag entry points that no longer work: an interpreter gone, a hook not executable (doctor reports them)."""
    stale = []
    for directory in hook_directories:
        hook = directory / "pre-push"
        if _is_ours(hook):
            if not os.access(hook, os.X_OK):
                stale.append(f"the pre-push hook {hook} is not executable, so git skips it")
            match = re.search(r"^python=(.+)$", hook.read_text(encoding="utf-8", errors="replace"), re.MULTILINE)
            python = shlex.split(match.group(1))[0] if match else ""
            if not (python and os.access(python, os.X_OK)):
                stale.append(f"the pre-push hook {hook} runs {python or 'an unknown interpreter'}, which is gone")
    for value in helper_values:
        if OBSERVER_MODULE in value:
            python = shlex.split(value.lstrip("!"))[0]
            if not os.access(python, os.X_OK):
                stale.append(f"credential.helper = {value} runs {python}, which is gone")
    return stale
