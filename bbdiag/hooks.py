"""The pre-push preflight: what will fail or leak in this push, checked before it is sent.

pre-push runs only after authentication succeeded (git-messages.md), so it cannot explain its
own push failing: it is a preflight for what fails or harms next. Two independent checks:
- the setup (inspector): secrets in remote URLs and plaintext stores, a retired host key. A
  broken setup (an unparsable config, an include cycle) may stop this one, never the next;
- the pushed content: `git log -p` of exactly the commits being pushed (from the pushed tips,
  hiding what the remote has), so its cost grows with the push, not with the history, and git
  itself reads the repository (a gitlink, a config libgit2 cannot parse, an odd revision all
  read as git reads them). It runs with no global or system git config, so nothing there can
  change or break what it reads.
Warnings by default; it blocks a push only for a secret in the outgoing commits (or for anything
with --strict). A reviewed false positive is allowed by `bbdiag:allow` (or gitleaks's
`gitleaks:allow`) on its line, or by its fingerprint in `.bbdiagignore` (or `.gitleaksignore`).
When bbdiag itself fails, the push goes on and one line says so; the pushed content is never
reported as checked when it was not.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from bbdiag import child
from bbdiag.install import EXIT_BLOCK
from bbdiag.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, TextIO

ZERO = "0" * 40
UNCHECKED = 98  # pre_push's answer when the pushed content could not be read (and nothing blocked)
# The whole hook's time limit. Each child has its own (GIT_TIMEOUT, the inspector's), but a stuck
# filesystem can make several wait out their limits in turn while git waits for the hook; past
# this, whatever the hook is doing (even blocked inside a C call), the push goes on unchecked.
DEADLINE = 120.0
MAX_COMMITS = 20_000
ALLOW_MARKERS = ("bbdiag:allow", "gitleaks:allow")
IGNORE_FILES = (".bbdiagignore", ".gitleaksignore")
# The readings of `git log` that a user's or repository's config could change, pinned.
_LOG_CONFIG = ("diff.noprefix=false", "diff.mnemonicPrefix=false", "diff.relative=false", "log.showSignature=false", "core.quotePath=true")


class Warning_(NamedTuple):
    text: str
    blocking: bool = False
    fingerprint: str = ""  # commit:path:line, what .bbdiagignore lists to allow it


class Unchecked(Exception):
    """The pushed commits could not be read: said loudly, never passed off as checked."""


# ------------------------------------------------------------------------------ token shapes in commits
def token_kinds(text: str) -> list[str]:
    """The kinds of token in `text` (never the tokens), by the host modules' token shapes."""
    from bbdiag import hosts

    return hosts.token_names_in_text(text)


# Placeholders written where a token goes (ghp_XXXX…, glpat-xxxxxxxx…, <your-token>): not secrets.
# Words of five letters or more only: a real token's random tail holds one by chance about once in
# 100,000 tokens, a four-letter word ("fake") once in 3,000, which would let a real secret through.
_PLACEHOLDER_WORDS = re.compile(r"example|sample|placeholder|dummy|redacted|yourtoken|token[_-]?here|changeme|x{5,}", re.IGNORECASE)


def is_placeholder(token: str) -> bool:
    """A token-shaped string that is plainly not a real token: a word, or a tail of few distinct
    characters (a real token's last 16 characters are random; every prefix is shorter than that)."""
    tail = token[-16:].lower()
    return len(set(tail) - set("_-=")) <= 3 or bool(_PLACEHOLDER_WORDS.search(token))


def tokens_in(text: str) -> Iterator[tuple[str, str]]:
    """(kind name, token) for each real-looking token in `text`, by the host modules' token shapes."""
    from bbdiag import hosts

    for match in hosts.tokens_in_text().finditer(text):
        name = next(n for n, v in match.groupdict().items() if v)
        if not is_placeholder(match.group()):
            yield hosts.TOKEN_SHAPES[int(name[1:])].name, match.group()


# ------------------------------------------------------------------------------ pre-push
class Push(NamedTuple):
    """What is being pushed: tips to read from, and what the remote is known to have."""

    remote: str
    url: str
    tips: tuple[str, ...]  # the commits being pushed (object ids: never an option or a name)
    known: tuple[str, ...] = ()  # commits the remote has (its old tips), when they exist here
    local_branches: bool = False  # also every local branch's commits not on the remote (pre-commit names only one ref)


_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 or SHA-256: never an option or a name


def push_from_git(remote: str, url: str, updates: Iterable[str]) -> Push:
    """git's pre-push input: `<local ref> <local sha> <remote ref> <remote sha>` lines."""
    tips, known = [], []
    for line in updates:
        fields = line.split()
        if len(fields) != 4 or fields[1] == ZERO or not all(_OBJECT_ID.fullmatch(f) for f in (fields[1], fields[3])):
            continue  # a malformed line, or a deletion: nothing is sent
        tips.append(fields[1])
        if fields[3] != ZERO:
            known.append(fields[3])
    return Push(remote, url, tuple(dict.fromkeys(tips)), tuple(dict.fromkeys(known)))


def push_from_pre_commit(environ: Mapping[str, str]) -> Push:
    """The pre-commit framework's PRE_COMMIT_* variables (it passes git's first pushed ref only).

    `pre-commit run --hook-stage pre-push --from-ref HEAD~1 --to-ref HEAD` names revisions, which
    git resolves; a new branch pushed whole comes with no refs at all (its local branch instead).
    """
    remote, url = environ.get("PRE_COMMIT_REMOTE_NAME", ""), environ.get("PRE_COMMIT_REMOTE_URL", "")
    to_ref = environ.get("PRE_COMMIT_TO_REF") or environ.get("PRE_COMMIT_LOCAL_BRANCH") or "HEAD"
    from_ref = environ.get("PRE_COMMIT_FROM_REF", "")
    resolved = _resolve([to_ref, *([from_ref] if from_ref and from_ref != ZERO else [])])
    return Push(remote, url, (resolved[0],), tuple(resolved[1:]), local_branches=True)


def _resolve(revisions: Sequence[str]) -> list[str]:
    out = []
    for revision in revisions:
        done = _git_isolated(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"])
        if done.returncode != 0:
            raise Unchecked(f"the revision {revision!r} does not name a commit in this repository")
        out.append(done.stdout.decode().strip())
    return out


@contextlib.contextmanager
def deadline(seconds: float, out: TextIO, message: str, exit_code: int) -> Iterator[None]:
    """Within the block, after `seconds`: kill every child, write `message` to `out` and exit the
    process with `exit_code` at once (from a thread, so it fires wherever the main thread is stuck)."""

    def expire() -> None:
        child.kill_all()
        with contextlib.suppress(Exception):
            out.write(message)
            out.flush()
        os._exit(exit_code)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def pre_push(push: Push, strict: bool, out: TextIO) -> int:
    """The hook: 0 lets the push go on, EXIT_BLOCK refuses it, UNCHECKED says the content was not
    read (git's hook lets the push go on; under pre-commit it must not show as Passed). Never raises.

    The setup check and the content check run independently: one failing never stops the other.
    """
    from bbdiag.redact import redact

    warnings: list[Warning_] = []
    unchecked = None
    try:
        log = start_log(push)  # git reads the pushed commits while the setup is checked
    except Exception as exc:
        log, unchecked = None, f"{type(exc).__name__}: {exc}"
    try:
        warnings += setup_warnings(push.remote, push.url)
    except Exception as exc:
        out.write(f"bbdiag: setup checks skipped: {type(exc).__name__}: {redact(str(exc))}\n")
    try:
        ignored = ignored_fingerprints(Path.cwd())  # git runs pre-push at the top of the work tree
        warnings += [w for w in scan_log(log, _host_id(push.url)) if not _allowed(w, ignored)] if log else []
    except Exception as exc:
        unchecked = f"{exc}" if isinstance(exc, Unchecked) else f"{type(exc).__name__}: {exc}"
    for warning in warnings:
        out.write(("bbdiag: BLOCKED: " if warning.blocking or strict else "bbdiag: warning: ") + redact(warning.text) + "\n")
    if unchecked is not None:
        out.write(f"bbdiag: the pushed commits were NOT checked for secrets: {redact(unchecked)}\n")
    blocked = [w for w in warnings if w.blocking]
    if blocked or (strict and warnings):
        out.write(redact(_how_to_fix(blocked)))
        return EXIT_BLOCK
    return UNCHECKED if unchecked is not None else 0


def _how_to_fix(blocked: Sequence[Warning_]) -> str:
    lines = ["bbdiag: push refused by the pre-push preflight."]
    oldest = blocked[-1].fingerprint.partition(":")[0] if blocked else ""  # git log lists the newest first
    if blocked:
        lines += [
            "  Take the secret out of the commits before they are sent, and revoke it (it has been written into a commit):",
            "    the last commit: edit the file, then  git commit --amend -a",
            f"    an earlier one:  git rebase -i {oldest[:10]}~1  (mark it `edit`, fix the file, git commit --amend -a, git rebase --continue)",
            "  Reviewed and not a secret? Allow it: add `# bbdiag:allow` to the end of its line, or its fingerprint",
            "  (" + ", ".join(w.fingerprint for w in blocked[:3]) + ("…" if len(blocked) > 3 else "") + ") as a line of .bbdiagignore.",
        ]
    lines.append("  Skip the check once: git push --no-verify")
    return "\n".join(lines) + "\n"


def _host_id(url: str) -> str:
    from bbdiag import hosts, remote_urls

    parsed = remote_urls.parse(url) if url else None
    return parsed.host_id if parsed else hosts.UNKNOWN


def setup_warnings(remote: str, url: str) -> list[Warning_]:
    """What the repository's setup says will leak or fail (read by the inspector)."""
    from bbdiag import hosts, inspector, remote_urls
    from bbdiag.inspector import KIND_NAMES

    setup = inspector.inspect()
    parsed = remote_urls.parse(url) if url else None
    host_id = parsed.host_id if parsed else hosts.UNKNOWN
    found = []
    for secret in setup.secrets_in_urls:
        if secret.remote == remote:
            found.append(
                Warning_(
                    f"{remote}'s {secret.where} holds {KIND_NAMES[secret.kind]} in plain text ({secret.origin}); set the URL without it: bbdiag doctor shows how."
                )
            )
    kind = inspector.secret_kind_in_url(url) if url else None
    if kind and not any(s.remote == remote for s in setup.secrets_in_urls):
        found.append(Warning_(f"the URL being pushed to holds {KIND_NAMES[kind]} in plain text."))
    if parsed is not None and parsed.host:
        for stored in setup.stored:
            if stored.host == parsed.host and stored.line:
                found.append(Warning_(f"{stored.store}:{stored.line} keeps {KIND_NAMES[stored.kind]} for {stored.host} unencrypted (the store helper)."))
        found += [Warning_(text) for text in hosts.get(host_id).push_warnings(setup, parsed)]
    return found


# ------------------------------------------------------------------------------ the pushed content
# git's time limit here: reading a push of MAX_COMMITS commits takes seconds; past this, git is
# stuck (a lock, a hung filesystem) and the push goes on with the content said to be unchecked.
GIT_TIMEOUT = 600


def _git_isolated(args: Sequence[str], input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return child.run(["git", *args], input=input, env=_isolated_env(), timeout=GIT_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise Unchecked(f"git {args[0]} did not finish in {GIT_TIMEOUT} s") from exc


def _isolated_env() -> dict[str, str]:
    """git's environment for reading the pushed content: no global or system config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_CONFIG")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", LC_ALL="C")
    return env


def scan_pushed_commits(push: Push, host_id: str) -> Iterator[Warning_]:
    """Tokens in added lines, and oversized files, in the commits being pushed and only those."""
    log = start_log(push)
    return scan_log(log, host_id) if log else iter(())


def start_log(push: Push) -> child.Stream | None:
    """`git log -p` of exactly the pushed commits, started (None when nothing is pushed)."""
    if not push.tips:
        return None
    hide = [*push.known, f"--remotes={push.remote}"] if push.remote and not push.remote.startswith(("-", "/")) else list(push.known)
    revisions = [*push.tips, *(["--branches"] if push.local_branches else []), "--not", *hide]
    args = [
        *(arg for c in _LOG_CONFIG for arg in ("-c", c)),
        "log",
        "--ignore-missing",  # the remote's old tip may never have been fetched
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--unified=0",
        "-M",
        "--raw",
        "--no-abbrev",
        "--format=%x01%H",
        f"--max-count={MAX_COMMITS + 1}",
        *revisions,  # commit ids, git's own options, never a name from outside
        "--",
    ]
    return child.Stream(["git", *args], env=_isolated_env(), timeout=GIT_TIMEOUT)


def scan_log(log: child.Stream, host_id: str) -> Iterator[Warning_]:
    from bbdiag import hosts

    limit, warn_at = hosts.get(host_id).FILE_SIZE_LIMIT, hosts.get(host_id).FILE_SIZE_WARNING
    added_blobs: list[tuple[str, str, str]] = []  # (commit, path, blob) when sizes matter
    try:
        for block in _commit_blocks(log.stdout):
            # Most of a push holds no token: one search over a block of whole commits, in C, lets
            # only the blocks with one (or, for hosts with size limits, all) be read line by line.
            if limit or _any_token(block):
                yield from _read_log(block.splitlines(keepends=True), added_blobs if limit else None)
    except BaseException:  # an error, Ctrl-C, the reader stopping: git log need not finish
        log.kill()
        raise
    code, stderr = log.finish()
    error = stderr.decode("utf-8", "replace").strip()
    if log.timed_out:
        raise Unchecked(f"git log did not finish in {log.timeout:g} s")
    if code != 0:
        raise Unchecked(f"git log failed: {error.splitlines()[0] if error else f'exit {code}'}")
    if limit and warn_at and added_blobs:
        yield from _sizes(added_blobs, limit, warn_at)


BLOCK = 4 << 20


def _commit_blocks(stream: IO[bytes]) -> Iterator[bytes]:
    """git log's output in blocks of about BLOCK bytes that each begin at a commit (`\\x01<id>`)."""
    pending = b""
    while chunk := stream.read(BLOCK):
        pending += chunk
        cut = pending.rfind(b"\n\x01")
        if cut > 0:
            yield pending[: cut + 1]
            pending = pending[cut + 1 :]
    if pending:
        yield pending


def _token_starts() -> re.Pattern[bytes]:
    """Where a token could begin: the token shapes' prefixes alone, which a search skips past ~40x
    faster than the whole shapes (measured by bench/prepush.py)."""
    from bbdiag import hosts

    return re.compile("|".join(f"(?:{shape.prefix})" for shape in hosts.TOKEN_SHAPES if shape.in_text and shape.prefix).encode())


def _any_token(block: bytes) -> bool:
    return _token_starts().search(block) is not None


def _read_log(stream: Iterable[bytes], added_blobs: list[tuple[str, str, str]] | None) -> Iterator[Warning_]:
    commit, path, count = "", "", 0
    new_line, old_left, new_left = 0, 0, 0
    starts = _token_starts()
    hunk = re.compile(rb"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
    for raw in stream:
        line = raw.rstrip(b"\n")
        if old_left or new_left:  # inside a hunk: every line is -, + or git's "\ No newline" note
            if line.startswith(b"+"):
                new_left -= 1
                text = line[1:].decode("utf-8", "replace") if starts.search(line) else ""
                allowed = any(marker in text for marker in ALLOW_MARKERS)
                for kind in dict.fromkeys(k for k, _ in tokens_in(text)) if text and not allowed else ():
                    yield Warning_(
                        f"commit {commit[:10]} adds {kind} in {path}:{new_line}. Remove it from the commit and revoke it.",
                        blocking=True,
                        fingerprint=f"{commit}:{path}:{new_line}",
                    )
                new_line += 1
            elif line.startswith(b"-"):
                old_left -= 1
            continue
        if line.startswith(b"\x01"):
            commit = line[1:].decode()
            count += 1
            if count > MAX_COMMITS:
                yield Warning_(f"more than {MAX_COMMITS} commits in this push: only the first {MAX_COMMITS} were checked.")
                return
        elif line.startswith(b"+++ "):
            path = _path(line[4:])
        elif line.startswith(b"@@ "):
            match = hunk.match(line)
            if match:
                old_left = int(match.group(1)) if match.group(1) is not None else 1
                new_line = int(match.group(2))
                new_left = int(match.group(3)) if match.group(3) is not None else 1
        elif line.startswith(b":") and added_blobs is not None:
            meta, _, name = line.partition(b"\t")
            fields = meta.split()
            if len(fields) >= 5 and fields[4][:1] in b"AMRC" and not fields[1].startswith(b"160000"):  # not a gitlink
                added_blobs.append((commit, _path(name.split(b"\t")[-1], prefix=False), fields[3].decode()))


def _path(raw: bytes, prefix: bool = True) -> str:
    """A path as git shows it (quoted when it holds odd bytes, so escapes stay visible), without b/."""
    text = raw.decode("utf-8", "replace")
    if text.startswith('"'):
        return '"' + text[3:] if prefix and text[1:3] == "b/" else text
    return text[2:] if prefix and text.startswith("b/") else text


def _sizes(added: list[tuple[str, str, str]], limit: int, warn_at: int) -> Iterator[Warning_]:
    query = "".join(f"{blob}\n" for _, _, blob in added).encode()
    done = _git_isolated(["cat-file", "--batch-check=%(objectsize)"], input=query)
    sizes = done.stdout.decode().split()
    for (commit, path, _), size_text in zip(added, sizes, strict=False):
        size = int(size_text) if size_text.isdigit() else 0
        if size > limit:
            yield Warning_(f"commit {commit[:10]} adds {path} ({size / 1e6:.1f} MB): the host refuses files over {limit / 1e6:.0f} MB (use Git LFS).")
        elif size > warn_at:
            yield Warning_(f"commit {commit[:10]} adds {path} ({size / 1e6:.1f} MB): over the host's recommended {warn_at / 1e6:.0f} MB.")


# ------------------------------------------------------------------------------ reviewed false positives
def ignored_fingerprints(top: Path) -> frozenset[str]:
    """Fingerprints listed in the work tree's .bbdiagignore (`commit:path:line`, or `commit:path`
    for every line of that file in that commit) and .gitleaksignore (`commit:path:rule:line`)."""
    found = set()
    for name in IGNORE_FILES:
        try:
            text = (top / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for entry in (e.strip() for e in text.splitlines()):
            if not entry or entry.startswith("#"):
                continue
            parts = entry.split(":")
            found.add(":".join([*parts[:-2], parts[-1]]) if name == ".gitleaksignore" and len(parts) >= 4 else entry)
    return frozenset(found)


def _allowed(warning: Warning_, ignored: frozenset[str]) -> bool:
    return bool(warning.fingerprint) and (warning.fingerprint in ignored or warning.fingerprint.rpartition(":")[0] in ignored)
