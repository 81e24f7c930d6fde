"""Read the user's git setup: read-only, offline, and never returning a secret.

What git will do is decided by git's own reading of its configuration, so that is what the
inspector trusts: `git config --get-regexp --show-origin --show-scope` (every level, includes,
`includeIf`, `-c` and GIT_CONFIG_* as git sees them) and `git rev-parse` (GIT_DIR, worktrees,
bare repositories, submodules, safe.directory). pygit2 is not used here: it ignores
GIT_CONFIG_GLOBAL, GIT_CONFIG_COUNT/-c and `includeIf "hasconfig:"`, fixes HOME at import, and
its import alone costs more than doctor's whole time budget; it serves where objects are read
(hooks.py, the pushed range). A secret met on the way (a password in a URL, a stored credential)
is classified and dropped: records hold its kind and where it lives, never its value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

from bbdiag import child, hosts, remote_urls
from bbdiag.credential_helpers import helper_program
from bbdiag.records import NamedTuple
from bbdiag.remote_urls import RemoteURL

TYPE_CHECKING = False
if TYPE_CHECKING:  # pathlib and urllib.parse (16M instructions) are imported where used: explain's `remotes` needs neither
    from pathlib import Path

GIT_TIMEOUT = 20


class ConfigEntry(NamedTuple):
    scope: str  # system, global, local, worktree, command
    origin: str  # "file:/home/u/.gitconfig", "command line:"
    key: str  # section and name lower-case, subsection as written
    value: str


class Helper(NamedTuple):
    command: str  # as configured (may be a shell snippet: print it only through redact)
    origin: str
    scope: str
    installed: bool | None  # None: a shell snippet, cannot tell

    @property
    def name(self) -> str:
        """`osxkeychain`, `store`, `manager`…; `bbdiag-observer` for bbdiag's; `!…` for a shell snippet."""
        words = self.command.removeprefix("!").split()
        first = words[0] if words else ""
        if self.command.startswith("!"):
            return "bbdiag-observer" if "bbdiag.observer" in self.command else "!" + first.strip("'\"")
        return os.path.basename(first).removeprefix("git-credential-")

    @property
    def stores_credentials(self) -> bool:
        """bbdiag's observer never supplies or keeps a credential."""
        return self.name != "bbdiag-observer"


class SecretInURL(NamedTuple):
    remote: str
    where: str  # "url", "pushurl", "insteadOf target"
    origin: str  # the config file that holds it
    kind: str  # what the secret looks like (secret_kind)


class Remote(NamedTuple):
    name: str
    url: RemoteURL | None  # fetch URL after insteadOf
    push_url: RemoteURL | None  # pushurl after insteadOf, or url after pushInsteadOf; None: same as url
    helpers: tuple[Helper, ...]  # the credential helpers in effect for the push URL, in order
    username: str | None  # credential.<url>.username
    use_http_path: bool

    @property
    def push(self) -> RemoteURL | None:
        return self.push_url or self.url


class StoredCredential(NamedTuple):
    store: str  # the file
    line: int
    protocol: str
    host: str
    username: str | None
    kind: str  # secret_kind() of the password
    port: int | None = None  # when the stored URL names one (git matches host:port)

    @property
    def erase_query(self) -> str:
        """What `git credential reject` (or a helper's erase) needs to find exactly this credential, printf-escaped."""
        host = f"{self.host}:{self.port}" if self.port else self.host
        return f"protocol={self.protocol}\\nhost={host}\\n\\n"


class SshKeys(NamedTuple):
    keys: tuple[str, ...]  # private key files in ~/.ssh
    loose_keys: tuple[str, ...]  # private keys readable by others (ssh refuses them)
    retired_keys: Mapping[str, tuple[str, ...]]  # host id -> known_hosts files:lines pinning a key the host retired
    agent: bool | None  # SSH_AUTH_SOCK set and present


class Setup(NamedTuple):
    """Everything the inspector found."""

    repository: Path | None  # the work tree (or the git dir of a bare repository)
    git_dir: Path | None
    bare: bool
    hooks_dir: Path | None  # where git runs hooks from (core.hooksPath respected)
    problem: str | None  # why the repository or its config could not be read
    remotes: tuple[Remote, ...]
    branch_remote: str | None  # the current branch's remote
    secrets_in_urls: tuple[SecretInURL, ...]
    stored: tuple[StoredCredential, ...]
    environment: Mapping[str, str]  # variables that change authentication (values summarised)
    ci: str | None
    ssh: SshKeys
    config: tuple[ConfigEntry, ...]  # as read: values may hold secrets, so __repr__ leaves them out
    unread: tuple[str, ...] = ()  # what the inspector did not read, to keep memory bounded (sentences)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields if name != "config")
        return f"Setup({shown})"

    def remote(self, name: str | None) -> Remote | None:
        return next((r for r in self.remotes if r.name == name), None)


class Remotes(NamedTuple):
    """The part of the setup a remedy is fitted to (`remotes`; `Setup` has the same two fields)."""

    remotes: tuple[Remote, ...]
    branch_remote: str | None  # the current branch's remote


# ------------------------------------------------------------------------------ secrets
# The kinds a secret can be: a token shape of some host (bbdiag.hosts), else a password.
KIND_NAMES = {**hosts.KIND_NAMES, "password": "a password (probably the account password)"}


def secret_kind(secret: str) -> str:
    """What a secret looks like, from its shape alone. The secret itself is not kept."""
    return hosts.token_kind(secret) or "password"


# ------------------------------------------------------------------------------ running git
def _git(args: Sequence[str], cwd: Path | str | None, env: Mapping[str, str] | None = None) -> child.Finished | None:
    """git run as if started in `cwd` (`-C`: child.capture, which spares explain subprocess's import, has no cwd);
    None when it cannot be run or does not finish in time."""
    where = [] if cwd is None else ["-C", os.fspath(cwd)]
    try:
        return child.capture(["git", *where, *args], env=env, timeout=GIT_TIMEOUT)
    except OSError:  # TimeoutError among them
        return None


def _first_line(data: bytes) -> str:
    from bbdiag.redact import redact

    text = data.decode("utf-8", "replace").strip().splitlines()
    return redact(text[-1].removeprefix("fatal: ").removeprefix("error: ")) if text else "git gave no reason"


# ------------------------------------------------------------------------------ the entry point
def inspect(where: Path | None = None) -> Setup:
    """Inspect the repository at or above `where` (default: the current directory) and the user's setup."""
    from pathlib import Path

    from bbdiag.redact import redact

    where = where or Path.cwd()
    repository, git_dir, bare, hooks_dir, problem = _discover(os.fspath(where))
    config, config_problem = _read_config(where if git_dir else None)
    problem = problem or config_problem
    remotes, secrets = _remotes(config)
    stored, unread = _stored_credentials(config, frozenset(u.host for r in remotes for u in (r.url, r.push_url) if u is not None))
    return Setup(
        repository=None if repository is None else Path(repository),
        git_dir=None if git_dir is None else Path(git_dir),
        bare=bare,
        hooks_dir=None if hooks_dir is None else Path(hooks_dir),
        problem=problem,
        remotes=tuple(remotes),
        branch_remote=_branch_remote(git_dir, config),
        secrets_in_urls=tuple(secrets),
        stored=tuple(stored),
        environment=_environment(config),
        ci=ci_system(),
        ssh=_ssh(),
        config=tuple(ConfigEntry(e.scope, e.origin, redact(e.key), redact(e.value)) for e in config),
        unread=tuple(unread),
    )


def remotes(where: str | None = None) -> Remotes:
    """The remotes of the repository at or above `where` (default: the current directory) and the
    current branch's remote, as `inspect` finds them, and nothing else: explain's remedy needs no
    more, and it does not pay for stored credentials, SSH keys and known_hosts files (or pathlib)."""
    where = where or os.getcwd()
    _, git_dir, _, _, _ = _discover(where)
    config, _ = _read_config(where if git_dir else None)
    found, _ = _remotes(config)
    return Remotes(tuple(found), _branch_remote(git_dir, config))


def _discover(where: str) -> tuple[str | None, str | None, bool, str | None, str | None]:
    """(work tree, git dir, bare, hooks dir, problem) as git itself finds them (paths as text: `inspect` makes them Paths)."""
    # One git process: --show-cdup (unlike --show-toplevel) does not fail in a bare repository.
    done = _git(["rev-parse", "--absolute-git-dir", "--is-bare-repository", "--is-inside-work-tree", "--git-path", "hooks", "--show-cdup"], where)
    if done is None:
        return None, None, False, None, "git could not be run"
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace")
        if "not a git repository" in message:
            return None, None, False, None, None  # outside a repository: a normal case
        # A repository git refuses to read (corrupt config, dubious ownership): still say where it is.
        found = next((d for d in _upwards(where) if os.path.exists(os.path.join(d, ".git"))), None)
        return found, os.path.join(found, ".git") if found else None, False, None, _first_line(done.stderr)
    git_dir, bare_text, inside_text, hooks_text, cdup = [*done.stdout.decode("utf-8", "surrogateescape").splitlines(), "", "", "", "", ""][:5]
    hooks = os.path.join(where, hooks_text)  # hooks_text when it is absolute
    if bare_text == "true" or inside_text != "true":
        return git_dir, git_dir, bare_text == "true", hooks, None
    return os.path.realpath(os.path.join(where, cdup)), git_dir, False, hooks, None


def _upwards(where: str) -> list[str]:
    """`where` and each folder above it, as Path.parents names them."""
    folders = [where]
    while (parent := os.path.dirname(folders[-1])) != folders[-1]:
        folders.append(parent)
    return folders


# The config sections bbdiag reads (add one when a check needs it). git filters them, so a huge
# section bbdiag never reads (a 39 MB [alias]) costs it nothing: memory stays bounded.
CONFIG_SECTIONS = ("remote", "url", "credential", "branch", "core", "http", "include", "includeif", "bbdiag")  # bbdiag: bbdiag.ignore (doctor)


def _read_config(repository: Path | str | None) -> tuple[list[ConfigEntry], str | None]:
    args = ["config", "--show-origin", "--show-scope", "-z", "--get-regexp", rf"^({'|'.join(CONFIG_SECTIONS)})\."]
    done = _git(args, repository) if repository else None
    problem = None
    if done is not None and done.returncode == 1 and not done.stdout and not done.stderr:  # no such entry at all
        return [], None
    if done is None or done.returncode != 0:
        if done is not None:
            problem = f"git cannot read the repository's configuration: {_first_line(done.stderr)}"
        # Still read the user's and the system's configuration, from outside any repository.
        env = {k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR")}
        done = _git(args, os.path.abspath(os.sep), env)
        if done is not None and done.returncode == 1 and not done.stdout and not done.stderr:
            return [], problem
        if done is None or done.returncode != 0:
            return [], problem or (f"git cannot read its configuration: {_first_line(done.stderr)}" if done else "git could not be run")
    return parse_config_list(done.stdout), problem


def parse_config_list(data: bytes) -> list[ConfigEntry]:
    """`git config --show-scope --show-origin -z` (--list, --get-regexp): scope NUL origin NUL key LF value NUL."""
    fields = data.decode("utf-8", "surrogateescape").split("\0")
    entries = []
    for index in range(0, len(fields) - 2, 3):
        scope, origin, item = fields[index : index + 3]
        key, _, value = item.partition("\n")
        entries.append(ConfigEntry(scope, origin, key, value))
    return entries


# ------------------------------------------------------------------------------ remotes and URLs
def _remotes(config: Sequence[ConfigEntry]) -> tuple[list[Remote], list[SecretInURL]]:
    names: dict[str, dict[str, list[ConfigEntry]]] = {}
    for entry in config:
        section, _, rest = entry.key.partition(".")
        if section != "remote" or "." not in rest:
            continue
        name, _, variable = rest.rpartition(".")
        names.setdefault(name, {}).setdefault(variable, []).append(entry)
    instead_of = _rewrites(config, "insteadof")
    push_instead_of = _rewrites(config, "pushinsteadof")
    remotes, secrets = [], []
    for name, variables in names.items():
        urls = variables.get("url", [])
        push_urls = variables.get("pushurl", [])
        if not urls and not push_urls:
            continue
        fetch_text = _rewrite(urls[0].value, instead_of) if urls else None
        if push_urls:
            push_text: str | None = _rewrite(push_urls[0].value, instead_of)
        elif urls and push_instead_of and _rewrite(urls[0].value, push_instead_of) != urls[0].value:
            push_text = _rewrite(urls[0].value, push_instead_of)
        else:
            push_text = None
        for where, entries in (("url", urls), ("pushurl", push_urls)):
            for entry in entries:
                kind = secret_kind_in_url(entry.value)
                if kind:
                    secrets.append(SecretInURL(name, where, _origin_file(entry.origin), kind))
        # Only a rule git applied puts its secret into this remote's URLs: a URL that holds the same
        # secret itself is reported once, where it is (above), not again as the rule's.
        used = [_rule_used(e.value, instead_of) for e in (*urls[:1], *push_urls[:1])]
        used += [_rule_used(urls[0].value, push_instead_of)] if urls and not push_urls else []
        for entry in dict.fromkeys(e for e in used if e is not None):
            kind = secret_kind_in_url(_rewrite_base(entry))
            if kind:
                secrets.append(SecretInURL(name, "insteadOf target", _origin_file(entry.origin), kind))
        url = remote_urls.parse(without_secret(fetch_text)) if fetch_text else None
        push = remote_urls.parse(without_secret(push_text)) if push_text else None
        effective = push or url
        helpers, username, use_path = credential_settings(config, effective) if effective else ((), None, False)
        remotes.append(Remote(name, url, push, helpers, username, use_path))
    return remotes, secrets


def _rewrites(config: Sequence[ConfigEntry], variable: str) -> dict[str, ConfigEntry]:
    """url.<base>.insteadOf = prefix  ->  {prefix: entry}; the entry's key holds <base>."""
    found: dict[str, ConfigEntry] = {}
    for entry in config:
        if entry.key.startswith("url.") and entry.key.endswith("." + variable):
            found[entry.value] = entry
    return found


def _rewrite(url: str, rules: Mapping[str, ConfigEntry]) -> str:
    """git's rule: the longest matching prefix wins."""
    entry = _rule_used(url, rules)
    if entry is None:
        return url
    return _rewrite_base(entry) + url[len(entry.value) :]


def _rule_used(url: str, rules: Mapping[str, ConfigEntry]) -> ConfigEntry | None:
    """The insteadOf rule git applies to `url` (the longest matching prefix), if any."""
    best = max((prefix for prefix in rules if url.startswith(prefix)), key=len, default=None)
    return None if best is None else rules[best]


def _rewrite_base(entry: ConfigEntry) -> str:
    """url.<base>.insteadOf: the <base> (which may itself contain dots)."""
    return entry.key[len("url.") :].rsplit(".", 1)[0]


def secret_kind_in_url(text: str) -> str | None:
    if "@" not in text:  # no user part: nothing for urlsplit to find
        return None
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.password:
        return secret_kind(unquote(parts.password))
    if parts.username and hosts.looks_like_token(unquote(parts.username)):
        return secret_kind(unquote(parts.username))
    return None


def without_secret(text: str) -> str:
    """The URL with its password (or a token in the user part) removed, before anything keeps it."""
    if "@" not in text:  # no user part, so no secret in it
        return text
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    if not parts.scheme or "@" not in parts.netloc or not (parts.password or hosts.looks_like_token(unquote(parts.username or ""))):
        return text
    user = "" if parts.password is None else (parts.username or "")
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"{user}@{host}" if user else host).geturl()


def _origin_file(origin: str) -> str:
    return origin.removeprefix("file:") if origin.startswith("file:") else origin.rstrip(":")


# ------------------------------------------------------------------------------ credential helpers
def credential_settings(config: Sequence[ConfigEntry], url: RemoteURL) -> tuple[tuple[Helper, ...], str | None, bool]:
    """The helper chain, username and useHttpPath git uses for `url` (git's urlmatch rules).

    `git config --get-urlmatch` returns one value only, so the chain is computed here: every
    `credential.helper` and matching `credential.<url>.helper` in config order; an empty value
    resets the list. For single values the most specific match wins, then the last one.
    """
    helpers: list[Helper] = []
    username: tuple[int, str] | None = None
    use_path = False
    for entry in config:
        if not entry.key.startswith("credential."):
            continue
        middle, _, variable = entry.key[len("credential.") :].rpartition(".")
        score = 0 if not middle else _url_match(middle, url)
        if score < 0:
            continue
        if variable == "helper":
            if not entry.value:
                helpers.clear()
            else:
                helpers.append(Helper(entry.value, _origin_file(entry.origin), entry.scope, _installed(entry.value)))
        elif variable == "username" and (username is None or score >= username[0]):
            username = (score, entry.value)
        elif variable == "usehttppath":
            use_path = entry.value.lower() in ("true", "yes", "on", "1")
    return tuple(helpers), username[1] if username else None, use_path


def _url_match(pattern: str, url: RemoteURL) -> int:
    """-1 when `pattern` (a credential.<url> subsection) does not match `url`, else how specific it is."""
    if "://" not in pattern:
        # A bare host name: git treats it as https://host (credential.example.com.helper).
        pattern = f"https://{pattern}"
    rest = pattern.partition("://")[2]
    if "*" not in rest and rest[:1] not in ("", "/") and url.host not in rest.lower():
        return -1  # another host's section, surely: no need of urlsplit (nor of its import, 11M instructions) to say so
    from urllib.parse import urlsplit

    parts = urlsplit(pattern)
    scheme = "https" if url.scheme == "scp" else url.scheme
    if parts.scheme and parts.scheme != scheme:
        return -1
    host = (parts.hostname or "").lower()
    import fnmatch

    if host and not fnmatch.fnmatchcase(url.host, host.replace("*", "[!.]*") if "*" in host else host):
        return -1
    if parts.port and parts.port != (url.port or {"https": 443, "http": 80}.get(scheme)):
        return -1
    if parts.username and parts.username != url.username:
        return -1
    path = parts.path.rstrip("/")
    if path and not (url.path == path or url.path.startswith(path + "/")):
        return -1
    return 1 + len(path) + (1 if parts.username else 0)


def _installed(command: str) -> bool | None:
    if command.startswith("!"):
        if "bbdiag.observer" in command:  # bbdiag's own observer: is its interpreter still there?
            import shlex

            try:
                program = shlex.split(command[1:])[0]
            except (ValueError, IndexError):
                return False
            return os.access(program, os.X_OK)
        return None
    first = command.split()[0] if command.split() else ""
    if os.path.isabs(first) or first.startswith("~"):
        path = os.path.expanduser(first)
        return os.path.isfile(path) and os.access(path, os.X_OK)
    return helper_program(first) is not None


# ------------------------------------------------------------------------------ stored credentials
def store_files(config: Sequence[ConfigEntry]) -> list[Path]:
    """The plaintext files the `store` helper reads: --file= arguments, else its two defaults."""
    from pathlib import Path

    files: list[Path] = []
    for entry in config:
        if entry.key.endswith(".helper") and entry.key.startswith("credential.") and entry.value.split()[:1] == ["store"]:
            match = re.search(r"--file(?:=|\s+)(\S+)", entry.value)
            if match:
                files.append(Path(os.path.expanduser(match.group(1).strip("'\""))))
    home = Path(os.path.expanduser("~"))
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    return [*files, home / ".git-credentials", xdg / "git" / "credentials"]


# What one plaintext store may cost, whatever its size: lines longer than this hold no credential
# git wrote, and beyond MAX_STORED entries (those for the remotes' hosts first) the rest is counted.
MAX_STORE_LINE = 64 << 10
MAX_STORED = 1000


def _stored_credentials(config: Sequence[ConfigEntry], hosts_wanted: frozenset[str] = frozenset()) -> tuple[list[StoredCredential], list[str]]:
    """The credentials of each `store` file (classified, never kept), and what was not read."""
    found: list[StoredCredential] = []
    unread: list[str] = []
    for path in dict.fromkeys(store_files(config)):
        try:
            handle = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115 (closed below, read in bounded lines)
        except OSError:
            continue
        kept = skipped = 0
        with handle:
            number = 0
            while line := handle.readline(MAX_STORE_LINE):
                if not line.endswith("\n") and len(line) >= MAX_STORE_LINE:  # the rest of an endless line
                    while (more := handle.readline(MAX_STORE_LINE)) and not more.endswith("\n"):
                        pass
                    number += 1
                    continue
                number += 1
                host = _store_line_host(line)
                if host is None:
                    continue
                if kept >= MAX_STORED or (host not in hosts_wanted and kept >= MAX_STORED // 2):
                    skipped += 1
                    continue
                credential = _store_line(line, path, number)
                if credential is not None:
                    found.append(credential)
                    kept += 1
        if skipped:
            unread.append(
                f"{path}: {skipped} more stored credential(s) were not checked (bbdiag reads at most {MAX_STORED} per file, the remotes' hosts first)"
            )
    return found, unread


def _store_line_host(line: str) -> str | None:
    """The host of a `store` line (scheme://user:secret@host), cheaply; None when it is none."""
    _, sep, rest = line.strip().partition("://")
    authority = rest.split("/", 1)[0]
    if not sep or "@" not in authority:
        return None
    return authority.rpartition("@")[2].rsplit(":", 1)[0].strip("[]").lower()


def _store_line(line: str, path: Path, number: int) -> StoredCredential | None:
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(line.strip())
        if not parts.hostname or parts.password is None:
            return None
        return StoredCredential(
            store=str(path),
            line=number,
            protocol=parts.scheme,
            host=parts.hostname.lower(),
            username=unquote(parts.username) if parts.username else None,
            kind=secret_kind(unquote(parts.password)),
            port=parts.port,
        )
    except ValueError:  # an unclosed [, a port that is not one
        return None


def noninteractive_env() -> dict[str, str]:
    """The environment for git that must never prompt: no terminal prompt, no askpass, no GCM window."""
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_ASKPASS", "SSH_ASKPASS")}
    env.update(GIT_TERMINAL_PROMPT="0", GCM_INTERACTIVE="never")
    return env


PROBE_TIMEOUT = 10  # seconds a helper may take to answer --probe-stored (a keyring unlock dialog is not waited for)


def probe_stored(url: RemoteURL, cwd: Path | None, timeout: float = PROBE_TIMEOUT) -> StoredCredential | None:
    """Ask the configured helpers, without any prompt, what they would give git (--probe-stored only).
    Raises subprocess.TimeoutExpired when they do not answer in time (they are stopped, with all they started)."""
    env = noninteractive_env()
    env["GIT_ASKPASS"] = "true"  # an empty answer, should a helper still ask
    host = f"{url.host}:{url.port}" if url.port else url.host
    query = f"protocol={url.scheme}\nhost={host}\n" + (f"username={url.username}\n" if url.username else "") + "\n"
    try:
        done = child.run(["git", "credential", "fill"], input=query.encode(), cwd=cwd, env=env, timeout=timeout)
    except OSError:
        return None
    if done.returncode != 0:
        return None
    answer = dict(line.partition("=")[::2] for line in done.stdout.decode("utf-8", "replace").splitlines() if "=" in line)
    password = answer.pop("password", "")
    if not password:
        return None
    kind = secret_kind(password)
    del password
    return StoredCredential("credential helpers", 0, url.scheme, url.host, answer.get("username") or None, kind, url.port)


# ------------------------------------------------------------------------------ environment and CI
_AUTH_VARIABLES = (
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_TERMINAL_PROMPT",
    "GIT_SSH_COMMAND",
    "GIT_SSH",
    "SSH_AUTH_SOCK",
    "GCM_INTERACTIVE",
    "GCM_BITBUCKET_AUTHMODES",
    "GCM_CREDENTIAL_STORE",
)
_CI_MARKERS = (
    ("BITBUCKET_BUILD_NUMBER", "Bitbucket Pipelines"),
    ("GITHUB_ACTIONS", "GitHub Actions"),
    ("GITLAB_CI", "GitLab CI"),
    ("JENKINS_URL", "Jenkins"),
    ("TF_BUILD", "Azure Pipelines"),
    ("CIRCLECI", "CircleCI"),
    ("TEAMCITY_VERSION", "TeamCity"),
    ("BUILDKITE", "Buildkite"),
)


def ci_system() -> str | None:
    for variable, name in _CI_MARKERS:
        if os.environ.get(variable):
            return name
    return "a CI system" if os.environ.get("CI", "").lower() in ("true", "1") else None


def _environment(config: Sequence[ConfigEntry]) -> dict[str, str]:
    from bbdiag.redact import redact

    found = {name: redact(os.environ[name]) for name in _AUTH_VARIABLES if name in os.environ}
    found.update({k: redact(v) for k, v in os.environ.items() if k.startswith("GCM_") and k not in found})
    for entry in config:
        if entry.key in ("core.sshcommand", "credential.bitbucketauthmodes", "credential.interactive", "core.askpass"):
            found[entry.key] = redact(entry.value)
    return found


# ------------------------------------------------------------------------------ SSH


def _ssh() -> SshKeys:
    from pathlib import Path

    ssh_dir = Path(os.path.expanduser("~")) / ".ssh"
    keys, loose = [], []
    try:
        entries = sorted(ssh_dir.iterdir())
    except OSError:
        entries = []
    for path in entries:
        if path.name.startswith("id_") and not path.name.endswith(".pub") and path.is_file():
            keys.append(str(path))
            try:
                if path.stat().st_mode & 0o077:
                    loose.append(str(path))
            except OSError:
                pass
    retired: dict[str, list[str]] = {}
    for known in (ssh_dir / "known_hosts", Path("/etc/ssh/ssh_known_hosts")):
        try:
            lines = known.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for host in hosts.REGISTRY:
            pinned = [f"{known}:{n}" for n, line in enumerate(lines, 1) if any(k in line for k in host.RETIRED_HOST_KEYS) and not line.startswith("@revoked")]
            if pinned:
                retired.setdefault(host.ID, []).extend(pinned)
    sock = os.environ.get("SSH_AUTH_SOCK")
    return SshKeys(
        tuple(keys),
        tuple(loose),
        {host_id: tuple(found) for host_id, found in retired.items()},
        None if sock is None else os.path.exists(sock),
    )


# ------------------------------------------------------------------------------ the current branch
def _branch_remote(git_dir: str | None, config: Sequence[ConfigEntry]) -> str | None:
    if git_dir is None:
        return None
    try:
        with open(os.path.join(git_dir, "HEAD"), encoding="utf-8", errors="surrogateescape") as head_file:
            head = head_file.read().strip()  # git allows any bytes in a ref name
    except OSError:
        return None
    if not head.startswith("ref: refs/heads/"):
        return None
    branch = head[len("ref: refs/heads/") :]
    key = f"branch.{branch}.remote"
    values = [e.value for e in config if e.key == key]
    return values[-1] if values else None
