"""Setup in, a plan out, the plan applied and undone: what `bbdiag fix` changes.

A plan is data (`Plan`, `Change`): each change says what it does, where, and the git command that
does the same, so the user can read it before anything happens and type it by hand instead. The
new credential is the only secret: it is tried first with a one-shot helper (bbdiag.credential_oneshot,
through a pipe, never argv, the environment or a file) so nothing is stored before the host takes it;
then the old one is erased and the new one handed to the user's own helpers with `git credential
approve`. Every configuration file a change touches is copied first; `undo` puts the copies back
and erases the credential the fix stored. A secret found in a URL is removed before the copies are
taken, so no copy holds it, and undo does not bring it back.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bbdiag import child, hosts
from bbdiag.causes import CAUSES
from bbdiag.credential_helpers import helper_advice
from bbdiag.doctor import dry_run_push, push_refspec
from bbdiag.inspector import Remote, Setup, noninteractive_env, secret_kind
from bbdiag.knowledge import Knowledge
from bbdiag.records import NamedTuple
from bbdiag.redact import redact
from bbdiag.remote_urls import RemoteURL

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO

GIT_TIMEOUT = 60
# doctor's findings that mean the credential git sends for a remote will be refused.
CREDENTIAL_FINDINGS = frozenset({"app-password-stored", "account-password-stored", "email-username", "credential-in-url"})


class RepairError(Exception):
    """A fix that cannot go ahead: one clear line, nothing changed."""


class NotRepairable(Exception):
    """The transcript's failure is one fix does not repair: what explain says to do instead (title, steps)."""

    def __init__(self, title: str, steps: Sequence[tuple[str, str | None]]) -> None:
        super().__init__(title)
        self.title = title
        self.steps = tuple(steps)


class Target(NamedTuple):
    """Where a credential goes: what git asks its helpers for (protocol, host[:port]) and the URL to try it on."""

    protocol: str
    host: str  # with :port when the remote names one
    url: str  # the remote's URL without userinfo
    host_id: str
    known_user: str | None  # the user name the setup already sends (URL, credential.username, the store)
    remotes: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.protocol}://{self.host}"

    def query(self, username: str | None = None) -> str:
        """`git credential` input for this target (without a password)."""
        return f"protocol={self.protocol}\nhost={self.host}\n" + (f"username={username}\n" if username else "")


class Change(NamedTuple):
    kind: str  # "config" (git config --file FILE ARGS), "set-url" (git remote set-url), "credential" (erase + approve)
    what: str  # for people
    where: str  # the file, or "credential helpers"
    command: str  # what the user would type for the same effect (no secret in it)
    args: tuple[str, ...] = ()  # git arguments (config and set-url)
    file: str | None = None  # the file it changes (backed up first)
    secret_removal: bool = False  # a secret leaves a URL: done first, never undone


@dataclass
class Plan:
    repository: Path | None
    git_dir: Path | None
    changes: list[Change] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)  # credentials to replace
    notes: list[str] = field(default_factory=list)
    check_push: bool = True  # verify with `git push --dry-run` (else `git ls-remote`)
    moves: list[Move] = field(default_factory=list)  # plaintext-stored credentials for the encrypted helper

    @property
    def empty(self) -> bool:
        return not self.changes and not self.targets and not self.moves


class Move(NamedTuple):
    """A credential the plaintext `store` holds, to move into the encrypted helper (no secret here:
    it is read from the store when the move is made, and goes from one helper to the other by pipe)."""

    store: str  # the plaintext file
    protocol: str
    host: str  # with :port when it has one
    username: str | None
    helper: str  # the encrypted helper's name (`git credential-<helper>`)

    @property
    def label(self) -> str:
        return f"{self.protocol}://{self.username + '@' if self.username else ''}{self.host}"

    def query(self) -> str:
        return f"protocol={self.protocol}\nhost={self.host}\n" + (f"username={self.username}\n" if self.username else "")


# ------------------------------------------------------------------------------ planning
# A remote's current credential tried once per scheme, host, port and user name (and path, where
# git keys credentials by it): `fix --all` over forty clones of one host asks the host once.
Verdicts = dict[tuple[str, str, int | None, str | None, str], list[str]]


def plan(
    setup: Setup,
    knowledge: Knowledge,
    today: dt.date,
    remote_name: str | None = None,
    replace: bool = False,
    check_push: bool = True,
    verdicts: Verdicts | None = None,
) -> Plan:
    """What to change for the remotes of `setup` (one, or all), from doctor's findings and a
    non-interactive try of each remote (`online`; with `verdicts`, reused across repositories)."""
    from bbdiag import doctor

    if setup.git_dir is None:
        raise RepairError("not inside a git repository (use --repo PATH, or --all DIR for every repository under DIR)")
    if setup.problem:
        raise RepairError(f"git cannot read this repository: {setup.problem}")
    remotes = [r for r in setup.remotes if remote_name in (None, r.name)]
    if remote_name and not remotes:
        raise RepairError(f"there is no remote named {remote_name}")
    result = Plan(setup.repository, setup.git_dir, check_push=check_push and _has_branch(setup))
    findings = doctor.check(setup, knowledge, today, remote_name)
    result.changes += _secrets_in_urls(setup, remotes)
    targets: dict[tuple[str, str], Target] = {}
    for remote in remotes:
        url = remote.push
        if url is None or url.scheme not in ("http", "https") or not url.host:
            continue
        bad = [f for f in findings if f.remote == remote.name and f.id in CREDENTIAL_FINDINGS]
        refused = [] if bad or replace else _refused_now(setup, remote, result.check_push, verdicts)
        if not (bad or refused or replace):
            continue
        result.notes += [f"{remote.name}: {title}" for title in [f.title for f in bad] + refused]
        target = _target(setup, remote, url)
        key = (target.protocol, target.host)
        if key in targets:
            target = targets[key]._replace(remotes=(*targets[key].remotes, remote.name))
        targets[key] = target
    result.targets = list(targets.values())
    result.moves = _moves(setup, remotes, result.targets)
    if result.targets or result.moves:
        result.changes += _helper_changes(setup, remotes)
    return result


def _moves(setup: Setup, remotes: Sequence[Remote], targets: Sequence[Target]) -> list[Move]:
    """The plaintext-stored credentials to move into the encrypted helper, when one is installed and
    `store` is in use (a credential about to be replaced is erased instead, never moved)."""
    advice = helper_advice()
    if not advice.encrypted or not any(h.name == "store" for r in remotes for h in r.helpers):
        return []
    replaced = {(t.protocol, t.host) for t in targets}
    moves = []
    for c in setup.stored:
        host = f"{c.host}:{c.port}" if c.port else c.host
        if c.line and (c.protocol, host) not in replaced:
            moves.append(Move(c.store, c.protocol, host, c.username, advice.helper))
    return list(dict.fromkeys(moves))


def _target(setup: Setup, remote: Remote, url: RemoteURL) -> Target:
    port = f":{url.port}" if url.port else ""
    stored = next((c.username for c in setup.stored if c.host == url.host and c.protocol == url.scheme and c.username), None)
    known = url.username or remote.username or stored
    clean = f"{url.scheme}://{url.host}{port}{url.path}"
    return Target(url.scheme, f"{url.host}{port}", clean, url.host_id, known, (remote.name,))


def _refused_now(setup: Setup, remote: Remote, push: bool, verdicts: Verdicts | None = None) -> list[str]:
    """Try the remote as git would, without prompting: what refuses the credential it sends (titles)."""
    from bbdiag import doctor

    url = remote.push
    key = None
    if verdicts is not None and url is not None:
        key = (url.scheme, url.host, url.port, url.username or remote.username, url.path if remote.use_http_path else "")
        if key in verdicts:
            return verdicts[key]
    found = [(f.id.removeprefix("online-"), f.title) for f in doctor.online_checks(setup, remote, push)]
    refused = [title for cause, title in found if cause in CAUSES and CAUSES[cause].auth]
    if verdicts is not None and key is not None:
        verdicts[key] = refused
    return refused


def plan_from_transcript(setup: Setup, knowledge: Knowledge, today: dt.date, transcript: BinaryIO) -> Plan:
    """The repair for what `explain` finds in a failed command's output (`fix --from`): a credential
    the host refused, for the remote the output names, tried the way the failed command needs."""
    from bbdiag import library, pipeline
    from bbdiag.remedy import was_push

    if setup.git_dir is None:
        raise RepairError("not inside a git repository (use --repo PATH: the repository whose command failed)")
    result = pipeline.diagnose_stream(transcript, "transcript", library.load())
    if not result.diagnoses:
        raise RepairError("no git failure recognised in the transcript (send git's complete output: git push 2>&1 | bbdiag fix --from -)")
    diagnoses, situations = pipeline.fit(result.diagnoses, setup)
    first = diagnoses[0]
    ((_, remedy),) = pipeline.remedies([first], {0: situations[0]} if 0 in situations else None, today)
    remote = setup.remote(situations[0].remote) if 0 in situations else None
    steps = [(step.text, step.command) for step in remedy.steps]
    if not first.auth or remote is None or remote.push is None or remote.push.scheme not in ("http", "https"):
        why = (
            "it is not the credential"
            if not first.auth
            else "that remote is not one of this repository's"
            if remote is None
            else "the remote is not reached over HTTPS, where fix replaces credentials"
        )
        raise NotRepairable(f"{remedy.title} ({first.cause}): bbdiag fix repairs credentials, and {why}; explain's remedy:", steps)
    fixed = plan(setup, knowledge, today, remote.name, replace=True, check_push=was_push(first))
    fixed.notes.insert(0, f"{remote.name}: the transcript says: {remedy.title} ({first.cause})")
    return fixed


def _has_branch(setup: Setup) -> bool:
    return push_refspec(setup.repository) is not None


def _secrets_in_urls(setup: Setup, remotes: Sequence[Remote]) -> list[Change]:
    changes = []
    names = {r.name for r in remotes}
    done_rules: set[str] = set()
    for secret in setup.secrets_in_urls:
        if secret.remote not in names:
            continue
        remote = setup.remote(secret.remote)
        if remote is None:
            continue
        if secret.where in ("url", "pushurl"):
            url = remote.url if secret.where == "url" else remote.push_url
            if url is None:
                continue
            push = ["--push"] if secret.where == "pushurl" else []
            clean = url.with_username(_person(url.username))
            changes.append(
                Change(
                    "set-url",
                    f"take the secret out of {remote.name}'s {secret.where}",
                    secret.origin,
                    shlex.join(["git", "remote", "set-url", *push, remote.name, clean]),
                    ("remote", "set-url", *push, remote.name, clean),
                    secret.origin,
                    secret_removal=True,
                )
            )
        else:
            changes += _instead_of_without_secret(secret.origin, done_rules)
    return changes


def _instead_of_without_secret(origin: str, done: set[str]) -> list[Change]:
    """url.<base>.insteadOf rules whose <base> holds a secret: the same rules without it, in the same file.
    The rules are read again when the change is made, so the plan never holds the secret."""
    if origin in done:
        return []
    done.add(origin)
    return [
        Change(
            "instead-of",
            "take the secret out of the url.<base>.insteadOf rules that hold one (the same rules, without it)",
            origin,
            f"git config --file {shlex.quote(origin)} --get-regexp '^url\\..*insteadof$'   # then --unset-all each rule with a secret and --add it without",
            (),
            origin,
            secret_removal=True,
        )
    ]


def _person(username: str | None) -> str | None:
    return username if username and not hosts.looks_like_token(username) else None


def _helper_changes(setup: Setup, remotes: Sequence[Remote]) -> list[Change]:
    """Somewhere for the new credential to go: a helper when there is none; an encrypted one instead of
    the plaintext `store` when one is installed."""
    advice = helper_advice()
    helpers = {h.name for r in remotes for h in r.helpers if h.stores_credentials}
    working = {h.name for r in remotes for h in r.helpers if h.stores_credentials and h.installed is not False}
    config = global_config_file()
    if not working:
        return [
            Change(
                "config",
                f"store credentials with {advice.name}",
                str(config),
                shlex.join(["git", "config", "--global", "credential.helper", advice.helper]),
                ("--add", "credential.helper", advice.helper),
                str(config),
            ),
            *(_config_command(config, command) for command in advice.setup),
        ]
    if helpers == {"store"} and advice.encrypted:
        # Where `store` is configured (the user's file, a repository's), it is replaced there.
        files = list(dict.fromkeys(h.origin for r in remotes for h in r.helpers if h.name == "store" and os.path.isabs(h.origin))) or [str(config)]
        return [
            *(
                Change(
                    "config",
                    f"store credentials with {advice.name} instead of the plaintext `store` (a refused credential is erased from it first, "
                    "the others are moved)",
                    file,
                    shlex.join(["git", "config", "--file", file, "--replace-all", "credential.helper", advice.helper, "^store"]),
                    ("--replace-all", "credential.helper", advice.helper, "^store"),
                    file,
                )
                for file in files
            ),
            *(_config_command(config, command) for command in advice.setup),
        ]
    return []


def _config_command(config: Path, command: str) -> Change:
    words = shlex.split(command)  # `git config --global KEY VALUE`, from helper_advice
    return Change("config", "configure the helper's store", str(config), command, tuple(words[3:]), str(config))


def global_config_file() -> Path:
    """The file `git config --global` writes: GIT_CONFIG_GLOBAL, else ~/.gitconfig (or the XDG file when only it exists)."""
    if os.environ.get("GIT_CONFIG_GLOBAL"):
        return Path(os.environ["GIT_CONFIG_GLOBAL"])
    home = Path(os.path.expanduser("~"))
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "git" / "config"
    return xdg if xdg.exists() and not (home / ".gitconfig").exists() else home / ".gitconfig"


# ------------------------------------------------------------------------------ the new credential
def username_for(target: Target, secret: str, knowledge: Knowledge) -> str | None:
    """The user name git must send with `secret` on this host (None: only the user can say)."""
    return hosts.get(target.host_id).git_username(secret_kind(secret), target.known_user, knowledge)


def verify(target: Target, username: str, secret: str, repository: Path | None, push: bool) -> tuple[bool, str]:
    """Try the credential against the remote with a one-shot helper and none of the user's: (works, git's stderr)."""
    read, write = os.pipe()
    try:
        os.write(write, f"username={username}\npassword={secret}\n".encode())
    finally:
        os.close(write)
    helper = f"!{shlex.quote(sys.executable)} -m bbdiag.credential_oneshot {read}"
    scoped = f"credential.{target.url}.helper"
    # An empty helper resets the list; the URL-scoped reset also drops URL-scoped helpers, which a
    # generic entry cannot (git keeps the most specific match), so the user's stores see nothing.
    args = ["git", "-c", "credential.helper=", "-c", f"{scoped}=", "-c", f"{scoped}={helper}"]
    url = f"{target.protocol}://{_quote_user(username)}@{target.url.split('://', 1)[1]}"
    refspec = push_refspec(repository) if push else None
    if refspec:
        args += dry_run_push(url, refspec)
    else:
        args += ["ls-remote", "--heads", url]
    env = noninteractive_env()
    env.update(LC_ALL="C", LANGUAGE="C")
    try:
        done = child.run(args, cwd=repository, env=env, timeout=GIT_TIMEOUT, pass_fds=(read,))
    except subprocess.TimeoutExpired:
        return False, f"git did not finish within {GIT_TIMEOUT} s"
    finally:
        os.close(read)
    return done.returncode == 0, redact(done.stderr.decode("utf-8", "replace"))


def _quote_user(username: str) -> str:
    from urllib.parse import quote

    return quote(username, safe="")


# ------------------------------------------------------------------------------ applying
def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "bbdiag" / "fix"


def apply(plan: Plan, credentials: Sequence[tuple[Target, str, str]], log: list[str]) -> None:
    """Make the changes: secrets out of URLs first, then copies of every file, erase, configure, approve."""
    repository = plan.repository
    for change in plan.changes:
        if change.secret_removal:
            _run_change(change, repository)
            log.append(f"done: {change.what}")
    local = [str(plan.git_dir / "config")] if plan.git_dir else []  # set-url of the user name
    backup = _backup([*(c.file for c in plan.changes if c.file and not c.secret_removal), *local])
    manifest: dict[str, object] = {"repository": str(repository) if repository else None, "files": backup, "credentials": []}
    for target, _, _ in credentials:
        _credential("reject", target.query(), repository)
        log.append(f"done: erased the stored credential for {target.label}")
    for change in plan.changes:
        if not change.secret_removal:
            _run_change(change, repository)
            log.append(f"done: {change.what}")
    moved = manifest.setdefault("moved", [])
    assert isinstance(moved, list)
    for move in plan.moves:
        if _move(move.store, move.helper, move.query(), repository, to_helper=True):
            moved.append(move._asdict())
            log.append(f"done: moved the credential for {move.label} from {move.store} into {move.helper}")
    for target, username, secret in credentials:
        _credential("approve", target.query(username) + f"password={secret}\n", repository)
        stored = manifest["credentials"]
        assert isinstance(stored, list)
        stored.append({"protocol": target.protocol, "host": target.host, "username": username})
        log.append(f"done: stored the new credential for {username} at {target.label} with your credential helper")
        for name in target.remotes:
            log += _send_username(repository, name, target, username)
    _write_manifest(manifest)


def _move(store: str, helper: str, query: str, repository: Path | None, to_helper: bool) -> bool:
    """Move one credential between the plaintext file and the encrypted helper (either way, for undo):
    read it from one, hand it to the other, erase it from the first. The secret passes through pipes
    only. False when the source no longer holds it (another repository's fix moved it already)."""
    plaintext = ["git", "credential-store", "--file", store]
    encrypted = ["git", f"credential-{helper}"]
    source, target = (plaintext, encrypted) if to_helper else (encrypted, plaintext)
    env = noninteractive_env()
    found = child.run([*source, "get"], input=(query + "\n").encode(), cwd=repository, env=env, timeout=GIT_TIMEOUT)
    answer = found.stdout.decode("utf-8", "replace")
    if found.returncode != 0 or "\npassword=" not in "\n" + answer:
        return False
    fields = dict(line.partition("=")[::2] for line in answer.splitlines() if "=" in line)
    query_fields = dict(line.partition("=")[::2] for line in query.splitlines() if "=" in line)
    full = {**query_fields, **{k: v for k, v in fields.items() if k in ("username", "password")}}
    data = "".join(f"{k}={v}\n" for k, v in full.items()) + "\n"
    del answer, fields
    done = child.run([*target, "store"], input=data.encode(), cwd=repository, env=env, timeout=GIT_TIMEOUT)
    if done.returncode != 0:
        raise RepairError(f"{' '.join(target)} store failed: {redact(done.stderr.decode('utf-8', 'replace').strip())}")
    erase = child.run([*source, "erase"], input=data.encode(), cwd=repository, env=env, timeout=GIT_TIMEOUT)
    del data, full
    if erase.returncode != 0:
        raise RepairError(f"{' '.join(source)} erase failed: {redact(erase.stderr.decode('utf-8', 'replace').strip())}")
    return True


def _run_change(change: Change, repository: Path | None) -> None:
    if change.kind == "set-url":
        _must(_git(list(change.args), repository), change.command)
        return
    if change.kind == "instead-of":
        assert change.file is not None
        _rewrite_rules_without_secrets(change.file, repository)
        return
    assert change.file is not None
    parts = list(change.args)
    while parts:  # "\0then" separates two git config calls on the same file
        head, parts = (parts[: parts.index("\0then")], parts[parts.index("\0then") + 1 :]) if "\0then" in parts else (parts, [])
        _must(_git(["config", "--file", change.file, *head], repository), redact(change.command))


def _rewrite_rules_without_secrets(file: str, repository: Path | None) -> None:
    from bbdiag.inspector import secret_kind_in_url, without_secret

    done = _git(["config", "--file", file, "-z", "--get-regexp", r"^url\..*\.(push)?insteadof$"], repository)
    if done is None or done.returncode != 0:
        return
    for item in done.stdout.decode("utf-8", "surrogateescape").split("\0"):
        key, _, value = item.partition("\n")
        base, _, variable = key[len("url.") :].rpartition(".")
        if not key or not secret_kind_in_url(base):
            continue
        _must(_git(["config", "--file", file, "--unset-all", key], repository), f"git config --file {file} --unset-all url.[redacted].{variable}")
        _must(_git(["config", "--file", file, "--add", f"url.{without_secret(base)}.{variable}", value], repository), f"git config --file {file} --add")


def _credential(action: str, request: str, repository: Path | None) -> None:
    env = noninteractive_env()
    done = child.run(["git", "credential", action], input=(request + "\n").encode(), cwd=repository, env=env, timeout=GIT_TIMEOUT)
    if done.returncode != 0:
        raise RepairError(f"git credential {action} failed: {redact(done.stderr.decode('utf-8', 'replace').strip())}")


def _send_username(repository: Path | None, name: str, target: Target, username: str) -> list[str]:
    """Point the remote's URLs (after insteadOf, as git uses them) at `username`, where they name another user."""
    from bbdiag.remote_urls import parse

    done = []
    has_push_url = _git(["config", "--get", f"remote.{name}.pushurl"], repository)
    for push in [False, True] if has_push_url and has_push_url.returncode == 0 else [False]:
        got = _git(["remote", "get-url", *(["--push"] if push else []), name], repository)
        url = parse(got.stdout.decode("utf-8", "replace").strip()) if got and got.returncode == 0 else None
        port = f":{url.port}" if url and url.port else ""
        if url is None or (url.scheme, f"{url.host}{port}") != (target.protocol, target.host) or url.username == username:
            continue
        new = f"{url.scheme}://{_quote_user(username)}@{url.host}{port}{url.path}"
        flag = ["--push"] if push else []
        _must(_git(["remote", "set-url", *flag, name, new], repository), f"git remote set-url {name}")
        done.append(f"done: {name} sends the user name {username}: {shlex.join(['git', 'remote', 'set-url', *flag, name, new])}")
    return done


def _backup(files: Sequence[str]) -> list[dict[str, str | None]]:
    """Copy each file (or note that it did not exist) into a fresh backup directory, private to the user."""
    directory = state_dir() / dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
    directory.mkdir(parents=True, mode=0o700)
    saved: list[dict[str, str | None]] = []
    for index, name in enumerate(dict.fromkeys(files)):
        path = Path(name)
        if path.exists():
            copy = directory / f"{index}-{path.name}"
            shutil.copy2(path, copy)
            os.chmod(copy, 0o600)
            saved.append({"path": str(path), "backup": str(copy)})
        else:
            saved.append({"path": str(path), "backup": None})
    return saved


def _write_manifest(manifest: dict[str, object]) -> None:
    last = state_dir() / "last.json"
    last.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    last.write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def undo(log: list[str]) -> bool:
    """Put back the files of the last fix and erase the credential it stored. False: nothing to undo."""
    last = state_dir() / "last.json"
    try:
        manifest = json.loads(last.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    repository = Path(manifest["repository"]) if manifest.get("repository") else None
    for item in manifest.get("credentials", []):
        target = f"protocol={item['protocol']}\nhost={item['host']}\nusername={item['username']}\n"
        _credential("reject", target, repository if repository and repository.exists() else None)
        log.append(f"undone: erased the credential the fix stored for {item['username']} at {item['protocol']}://{item['host']}")
    for item in manifest.get("moved", []):  # back into the plaintext file, out of the encrypted helper
        move = Move(**item)
        if _move(move.store, move.helper, move.query(), repository if repository and repository.exists() else None, to_helper=False):
            log.append(f"undone: moved the credential for {move.label} back from {move.helper} into {move.store}")
    for item in manifest.get("files", []):
        path = Path(item["path"])
        if item["backup"] is None:
            if path.exists():
                path.unlink()
                log.append(f"undone: removed {path} (it did not exist before the fix)")
        else:
            shutil.copy2(item["backup"], path)
            log.append(f"undone: restored {path}")
    last.unlink()
    return True


# ------------------------------------------------------------------------------ git
def _git(args: list[str], cwd: Path | None) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return child.run(["git", *args], cwd=cwd, env=noninteractive_env(), timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None


def _must(done: subprocess.CompletedProcess[bytes] | None, what: str) -> None:
    if done is None or done.returncode != 0:
        reason = redact(done.stderr.decode("utf-8", "replace").strip()) if done else "git could not be run"
        raise RepairError(f"{what} failed: {reason}")


def repositories_under(directory: Path) -> list[Path]:
    """Every work tree under `directory` (a `.git` directory or file), not looking inside .git itself."""
    found = []
    for root, dirs, files in os.walk(directory):
        if ".git" in dirs or ".git" in files:
            found.append(Path(root))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # .git and other hidden directories hold no clones
    return found
