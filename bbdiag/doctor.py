"""Setup in, findings out: what in the user's git setup will fail or harm, and the fix.

Each check reads the inspector's `Setup` (offline); `online_checks` additionally runs git
read-only against the remote and explains its output with the same library as `explain`.
Finding ids are a public contract, like cause ids (../shared/spec/output.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shlex
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from bbdiag import child, hosts, remote_urls, ssh_setup
from bbdiag.advice import Finding, Step
from bbdiag.credential_helpers import helper_advice
from bbdiag.hosts.base import Checkup, Host
from bbdiag.inspector import KIND_NAMES, PROBE_TIMEOUT, Remote, Setup, StoredCredential, noninteractive_env, probe_stored
from bbdiag.knowledge import Knowledge
from bbdiag.redact import cut_long_values, redact

SEVERITIES = ("error", "warning", "info", "ok")


def _finding(id: str, severity: str, title: str, detail: str, fix: tuple[Step, ...] = (), remote: str | None = None) -> Finding:
    """Every string of a finding passes through redact here, before anything can print it, and
    is then cut where a value is too long to print (a 300,000-character URL)."""
    return Finding(
        id,
        severity,
        _shown(title),
        _shown(detail),
        tuple(Step(_shown(s.text), _shown(s.command) if s.command else None) for s in fix),
        _shown(remote) if remote else remote,
    )


def _shown(text: str) -> str:
    return cut_long_values(redact(text))


def _redacted(findings: Iterator[Finding]) -> Iterator[Finding]:
    """A host module's findings, through the same redaction as doctor's own."""
    for f in findings:
        yield _finding(f.id, f.severity, f.title, f.detail, f.fix, f.remote)


def check(setup: Setup, knowledge: Knowledge, today: dt.date, remote_name: str | None = None, probe: bool = False) -> list[Finding]:
    findings = list(_repository(setup))
    remotes = [r for r in setup.remotes if remote_name in (None, r.name)]
    if remote_name and not remotes and setup.git_dir:
        findings.append(
            _finding(
                "no-such-remote",
                "error",
                f"There is no remote named {remote_name}",
                "git remote -v lists the remotes this repository has.",
                (Step("See the remotes:", "git remote -v"),),
            )
        )
    prober = _Probe() if probe else None
    views = _SshViews()
    for remote in remotes:
        findings += _remote(setup, remote, knowledge, today, prober, views)
    if remote_name is None:  # every stored credential, whatever host it is for and whether a remote uses it
        findings += _stored_elsewhere(setup, remotes, knowledge, today)
    findings += _environment(setup)
    findings += _installation(setup)
    findings += [_finding("not-all-read", "info", "Not everything was checked", sentence) for sentence in setup.unread]  # memory stays bounded
    findings = _ignored(_once(findings), setup)
    if not any(f.severity in ("error", "warning") for f in findings):
        checked = ", ".join(r.name for r in remotes) or "your user-level setup"
        findings.append(
            _finding("no-problem", "ok", "No problems found", f"Checked {checked}: URLs, credential helpers, stored credentials, SSH keys and known hosts.")
        )
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: order[f.severity])


@dataclasses.dataclass
class _Probe:
    """--probe-stored: the helpers are asked once per URL host and user, and not again once they hung."""

    answers: dict[tuple[str, str, int | None, str | None], StoredCredential | None] = dataclasses.field(default_factory=dict)
    hung: bool = False

    def ask(self, url: remote_urls.RemoteURL, cwd: Path | None) -> tuple[StoredCredential | None, Finding | None]:
        key = (url.scheme, url.host, url.port, url.username)
        if self.hung or key in self.answers:
            return self.answers.get(key), None
        try:
            self.answers[key] = probe_stored(url, cwd)
        except subprocess.TimeoutExpired:
            self.hung = True
            return None, _finding(
                "helper-timeout",
                "warning",
                f"The credential helpers did not answer within {PROBE_TIMEOUT} s",
                f"git credential fill for {url.host} waited for a helper that never answered (a locked keyring waiting for a password, a helper "
                "that hangs); bbdiag stopped it, and everything it started, and asked no more. git itself will wait for it the same way.",
                (Step("See which helpers are configured, and where:", "git config --show-origin --get-all credential.helper"),),
            )
        return self.answers[key], None


def _once(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per configuration problem: the same finding for several remotes is said once, naming them."""
    seen: dict[tuple[str, str, str], Finding] = {}
    remotes: dict[tuple[str, str, str], list[str]] = {}
    for f in findings:
        key = (f.id, f.title, f.detail)
        seen.setdefault(key, f)
        if f.remote:
            remotes.setdefault(key, []).append(f.remote)
    merged = []
    for key, f in seen.items():
        names = list(dict.fromkeys(remotes.get(key, [])))
        merged.append(f if len(names) <= 1 else f._replace(remote=None, detail=f"{f.detail} (remotes: {', '.join(names)})"))
    return merged


def _ignored(findings: Sequence[Finding], setup: Setup) -> list[Finding]:
    """`git config bbdiag.ignore <finding-id>` acknowledges a finding: still shown, as ignored, and no longer an error."""
    ignore = {e.value.strip() for e in setup.config if e.key == "bbdiag.ignore"}
    return [
        f if f.id not in ignore or f.severity == "ok" else f._replace(severity="info", title=f"{f.title} [ignored: bbdiag.ignore {f.id}]") for f in findings
    ]


def _stored_elsewhere(setup: Setup, remotes: Sequence[Remote], k: Knowledge, today: dt.date) -> Iterator[Finding]:
    """Stored credentials that no checked remote uses (outside a repository: all of them) get the same checks."""
    used = {(u.scheme, u.host) for r in remotes for u in (r.url, r.push_url) if u is not None}
    for credential in setup.stored:
        if (credential.protocol, credential.host) in used:
            continue
        url = remote_urls.parse(f"{credential.protocol}://{credential.host}/")
        if url is None:
            continue
        nobody = Remote("", url, None, (), None, False)  # no remote: the credential is checked on its own
        for f in _stored(Checkup(setup, nobody, url, k, today), hosts.get(url.host_id), credential):
            yield f._replace(remote=None)


def _helper_command() -> str:
    """The one credential helper every finding recommends: one that is installed here (credential_helpers.helper_advice)."""
    return f"git config --global credential.helper {shlex.quote(helper_advice().helper)}"


def _repository(setup: Setup) -> Iterator[Finding]:
    if setup.problem:
        yield _finding(
            "repository-unreadable",
            "error",
            "git cannot read this repository",
            setup.problem,
            (Step("See what git says, and fix the file it names:", "git status"),),
        )
    elif setup.git_dir is None:
        yield _finding(
            "not-a-repository",
            "info",
            "Not inside a git repository",
            "Only your user-level git setup was checked; run doctor inside a repository (or with --repo) to check its remotes.",
        )
    elif not setup.remotes:
        yield _finding(
            "no-remote",
            "info",
            "This repository has no remotes",
            "Nothing to push to or fetch from yet.",
            (Step("Add one:", "git remote add origin <clone-url>"),),
        )


def _remote(setup: Setup, remote: Remote, k: Knowledge, today: dt.date, probe: _Probe | None, views: _SshViews) -> Iterator[Finding]:
    url = remote.push
    if url is None:
        return
    checkup = Checkup(setup, remote, url, k, today)
    for secret in (s for s in setup.secrets_in_urls if s.remote == remote.name):
        if secret.where == "insteadOf target":
            # The secret is in a url.<base>.insteadOf rule, not in the remote: the fix edits that file.
            yield _finding(
                "credential-in-url",
                "error",
                f"A secret is written into a url.<base>.insteadOf rule in {secret.origin}",
                f"The rule's <base> holds {KIND_NAMES[secret.kind]} in plain text; git puts it into every URL the rule rewrites. "
                "Changing the remote's URL does not remove it from the file.",
                (
                    Step("Rewrite the rule without the secret (shows the plan and asks first):", "bbdiag fix"),
                    Step("Or edit that [url] section by hand, keeping only the user name:", f"git config --file {shlex.quote(secret.origin)} --edit"),
                    Step("Revoke that secret on the host and let a credential helper keep its replacement:", _helper_command()),
                ),
                remote.name,
            )
            continue
        yield _finding(
            "credential-in-url",
            "error",
            f"A secret is written into {remote.name}'s {secret.where}",
            f"{remote.name}'s {secret.where} holds {KIND_NAMES[secret.kind]} in plain text in {secret.origin}; every tool that prints the URL can leak it. git shows the URL without it since 2.22, older tools do not.",
            (
                Step(
                    "Put the URL back without the secret:",
                    f"git remote set-url {'--push ' if secret.where == 'pushurl' else ''}{remote.name} {_clean(remote, secret.where)}",
                ),
                Step("Revoke that secret on the host and let a credential helper keep its replacement:", _helper_command()),
            ),
            remote.name,
        )
    if url.scheme in ("https", "http"):
        yield from _https(checkup, probe)
    elif url.is_ssh:
        yield from _ssh(checkup, views)


def _clean(remote: Remote, where: str) -> str:
    """The URL the secret was in (fetch or push), as it should be configured: the user name at most."""
    url = (remote.url if where == "url" else remote.push_url) or remote.push
    assert url is not None
    return url.with_username(_safe_username(url))


def _safe_username(url: remote_urls.RemoteURL) -> str | None:
    return url.username if url.username and not hosts.looks_like_token(url.username) else None


def _https(c: Checkup, probe: _Probe | None) -> Iterator[Finding]:
    setup, remote, url = c.setup, c.remote, c.url
    host = hosts.get(url.host_id)
    yield from _redacted(host.check_https(c))
    fetch = remote.url
    if fetch is not None and fetch != url and fetch.scheme in ("https", "http"):  # the fetch URL is checked as well as the push URL
        yield from _redacted(hosts.get(fetch.host_id).check_https(c._replace(url=fetch)))
    helpers = remote.helpers
    for helper in helpers:
        if helper.installed is False:
            renamed = helper.name == "manager-core"
            yield _finding(
                "helper-not-installed",
                "error",
                f"The credential helper '{helper.name}' is not installed",
                f"{helper.origin} configures credential.helper = {helper.command}, which git cannot run: git skips it and asks (or fails in CI)."
                + (" Git Credential Manager renamed manager-core to manager in version 2.3." if renamed else ""),
                (
                    Step(
                        "Point git at Git Credential Manager's current name:",
                        f"git config --{_scope_flag(helper.scope)} --replace-all credential.helper manager '^manager-core$'",
                    )
                    if renamed
                    else _remove_helper_step(helper.command, _scope_flag(helper.scope)),
                ),
                remote.name,
            )
    # bbdiag's own observer never supplies a credential, so it does not make copies of secrets.
    distinct = list(dict.fromkeys(h.name for h in helpers if h.stores_credentials))
    if len(distinct) > 1:
        yield _finding(
            "several-helpers",
            "warning",
            f"{len(distinct)} credential helpers are in effect for {url.host}: {', '.join(distinct)}",
            "git asks each in turn and stores every new credential in all of them, so a secret is copied into each store and a stale one survives in whichever you forget. The list comes from every config level.",
            (
                Step("See where each one is set:", "git config --show-origin --get-all credential.helper"),
                Step(
                    "Keep one at the user level:",
                    f"git config --global --replace-all credential.helper {shlex.quote(next((h.command for h in helpers if h.installed), helper_advice().helper))}",
                ),
                *(
                    Step(f"Remove the ones set at the {scope} level:", f"git config --{_scope_flag(scope)} --unset-all credential.helper")
                    for scope in dict.fromkeys(h.scope for h in helpers)
                    if scope in ("local", "worktree", "system")
                ),
            ),
            remote.name,
        )
    elif not helpers and not setup.ci:
        yield _finding(
            "no-credential-helper",
            "info",
            f"No credential helper for {url.host}",
            "git will ask for the user name and token every time.",
            (Step(f"Use {helper_advice().name}, which is installed here:", _helper_command()),),
            remote.name,
        )
    stored = [s for s in setup.stored if s.host == url.host and s.protocol == url.scheme]
    if probe is not None:
        probed, said = probe.ask(url, setup.repository)
        stored += [probed] if probed else []
        if said:
            yield said
    for credential in stored:
        yield from _stored(c, host, credential)


def _stored(checkup: Checkup, host: Host, c: StoredCredential) -> Iterator[Finding]:
    where = f"{c.store}:{c.line}" if c.line else c.store
    if c.line:
        yield _finding(
            "plaintext-credential",
            "warning",
            f"A plaintext file holds a credential for {c.host}",
            f"{where} stores {KIND_NAMES[c.kind]} for {c.username or 'no user name'} unencrypted (the `store` helper).",
            _move_out_of_store(c),
            checkup.remote.name,
        )
    yield from _redacted(host.check_stored(checkup, c, where))


def _move_out_of_store(c: StoredCredential) -> tuple[Step, ...]:
    advice = helper_advice()
    if not advice.encrypted:
        return (Step(f"No encrypted credential helper is installed here; {advice.name} keeps a credential in memory only:", _helper_command()),)
    return (
        Step(f"Let {advice.name} keep credentials instead (bbdiag fix moves this one into it):", _helper_command()),
        Step("Then remove the plaintext line:", f"printf '{c.erase_query}' | git credential-store --file {shlex.quote(c.store)} erase"),
    )


def _ssh(c: Checkup, views: _SshViews) -> Iterator[Finding]:
    setup, remote, url = c.setup, c.remote, c.url
    ssh = setup.ssh
    seen = views.get(url, setup.environment)
    # A Host alias (`git@work:acme/x.git` with `HostName bitbucket.org`) is the host ssh connects to.
    host_id = hosts.classify(seen.hostname, url.path, seen.port, url.username, url.scheme) if seen and seen.hostname != url.host else url.host_id
    host = hosts.get(host_id)
    yield from _redacted(host.check_ssh(c))
    only = host.SSH_USER
    user, user_from = (seen.user, seen.user_from) if seen else (url.username, "url")
    if only and user and user != only:
        source = {
            "url": "The remote URL names this user.",
            "config": f"Your ssh configuration sets this User for {url.host} (ssh -G {shlex.quote(url.host)} shows it).",
            "login": "Nothing names a user, so ssh logs in with your login name.",
        }[user_from]
        yield _finding(
            "ssh-wrong-user",
            "error",
            f"{remote.name} connects over SSH as '{user}', not '{only}'",
            f"{host.NAME} accepts SSH only as the user {only}; the key decides the account. {source}",
            (Step(f"Use the {only} user in the URL:", f"git remote set-url {remote.name} {only}@{url.host}:{url.path.lstrip('/')}"),),
            remote.name,
        )
    if ssh.agent is False:
        yield _finding(
            "ssh-agent-unreachable",
            "warning",
            "SSH_AUTH_SOCK points at an agent that is not there",
            "ssh asks that agent for keys first and gets no answer (Error connecting to agent); keys loaded into it are not offered.",
            (Step("Start an agent and load your key:", 'eval "$(ssh-agent -s)" && ssh-add'),),
            remote.name,
        )
    if seen is not None:
        yield from _ssh_identities(c, seen)
        yield from _ssh_host_keys(c, seen, host)
    elif not ssh.keys and not ssh.agent:
        yield _ssh_no_key(c, "There is no key in ~/.ssh and no agent")
    for key in ssh.loose_keys:
        yield _finding(
            "ssh-key-permissions",
            "warning",
            f"{key} is readable by others",
            "ssh ignores a private key that group or others can read (UNPROTECTED PRIVATE KEY FILE).",
            (Step("Make it private:", f"chmod 600 {key}"),),
            remote.name,
        )


@dataclasses.dataclass
class _SshViews:
    """`ssh -G` once per host, port and user, however many remotes use them."""

    seen: dict[tuple[str, int | None, str | None], ssh_setup.SshView | None] = dataclasses.field(default_factory=dict)

    def get(self, url: remote_urls.RemoteURL, environment: Mapping[str, str]) -> ssh_setup.SshView | None:
        key = (url.host, url.port, url.username)
        if key not in self.seen:
            options = ssh_setup.ssh_options(environment)
            self.seen[key] = None if options is None else ssh_setup.view(url.host, url.port, url.username, options)
        return self.seen[key]


def _ssh_no_key(c: Checkup, why: str) -> Finding:
    return _finding(
        "ssh-no-key",
        "warning",
        f"No SSH key for {c.remote.name} ({c.url.host})",
        f"{why}: the host will answer Permission denied (publickey).",
        (Step("Create a key, then add its .pub file to your account on the host:", 'ssh-keygen -t ed25519 -C "<you@example.com>"'),),
        c.remote.name,
    )


def _ssh_identities(c: Checkup, seen: ssh_setup.SshView) -> Iterator[Finding]:
    """The keys ssh will offer, from its own configuration (IdentityFile, IdentitiesOnly)."""
    missing = [f for f in seen.named_identities if not os.path.isfile(f)]
    if missing:
        yield _finding(
            "ssh-identity-missing",
            "warning" if seen.existing_identities or not seen.identities_only else "error",
            f"Your ssh configuration names a key for {c.url.host} that does not exist: {', '.join(missing)}",
            f"ssh -G {shlex.quote(c.url.host)} lists IdentityFile {', '.join(missing)}; ssh skips a file that is not there"
            + (" and, with IdentitiesOnly yes, offers no other key (not even the agent's)." if seen.identities_only else ", and offers the others."),
            (
                Step("See the files ssh tries for this host:", f"ssh -G {shlex.quote(c.url.host)} | grep -i -e '^identityfile' -e '^identitiesonly'"),
                Step("Point IdentityFile at your key (or create it there):", f"ssh-keygen -t ed25519 -f {shlex.quote(missing[0])}"),
            ),
            c.remote.name,
        )
    if not seen.existing_identities and not (c.setup.ssh.agent and not seen.identities_only):
        tried = ", ".join(seen.identity_files[:3]) + ("…" if len(seen.identity_files) > 3 else "")
        yield _ssh_no_key(c, f"None of the key files ssh tries for this host exists ({tried})" + ("" if c.setup.ssh.agent else " and there is no agent"))


def _ssh_host_keys(c: Checkup, seen: ssh_setup.SshView, host: Host) -> Iterator[Finding]:
    """The host keys known_hosts holds for the host (by name and address), against the ones the host publishes."""
    published = [(kind, c.k.fact(fact_id)) for kind, fact_id in host.SSH_HOST_KEY_FACTS] if seen.hostname == host.HOSTNAME else []
    source = c.k.facts[host.SSH_HOST_KEY_FACTS[0][1]].sources[0] if published else None
    port = f"-p {seen.port} " if seen.port != 22 else ""
    known_hosts = seen.known_hosts_files[0] if seen.known_hosts_files else "~/.ssh/known_hosts"
    compare = (
        Step("See the fingerprints the host presents:", f"ssh-keyscan {port}{shlex.quote(seen.hostname)} 2>/dev/null | ssh-keygen -lf -"),
        Step(
            f"Compare them with the ones {host.NAME} publishes ({source}): " + ", ".join(f"{value} ({kind})" for kind, value in published)
            if published
            else "Compare them with the fingerprints the server's administrator gives you (on the server: ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub)."
        ),
        Step("Only if one matches, trust the host's keys:", f"ssh-keyscan {port}{shlex.quote(seen.hostname)} >> {shlex.quote(known_hosts)}"),
    )
    if not seen.host_keys:
        fails = seen.batch or seen.strict == "yes" or bool(c.setup.ci)
        yield _finding(
            "ssh-host-key-unknown",
            "warning" if fails else "info",
            f"known_hosts has no host key for {seen.key_lookup_name}",
            (
                "ssh will not connect to a host it does not know when it cannot ask (BatchMode, StrictHostKeyChecking yes, CI): Host key verification failed."
                if fails
                else "On the first connection ssh shows the host's key fingerprint and asks whether to trust it: compare it first."
            ),
            compare,
            c.remote.name,
        )
        return
    if not published:
        return
    retired = {ssh_setup.fingerprint(blob) for blob in host.RETIRED_HOST_KEYS}  # old-ssh-host-key reports those
    values = {value for _, value in published}
    for key in seen.host_keys:
        if key.fingerprint in values or key.fingerprint in retired:
            continue
        yield _finding(
            "ssh-host-key-unpublished",
            "error",
            f"known_hosts pins a {key.key_type} key for {key.looked_up} that {host.NAME} does not publish",
            f"{key.file}:{key.line}{' (a hashed entry)' if key.hashed else ''} holds {key.fingerprint}; ssh refuses the connection "
            f"(REMOTE HOST IDENTIFICATION HAS CHANGED), and a server that shows that key is not {host.NAME}'s.",
            (Step("Remove the entries for that host:", f"ssh-keygen -R {shlex.quote(key.looked_up)} -f {shlex.quote(key.file)}"), *compare),
            c.remote.name,
        )


def _environment(setup: Setup) -> Iterator[Finding]:
    env = setup.environment
    askpass = env.get("GIT_ASKPASS")
    if askpass and not (os.path.isabs(askpass) and os.access(askpass, os.X_OK)) and not _on_path(askpass):
        yield _finding(
            "askpass-missing",
            "warning",
            "GIT_ASKPASS names a program that does not run",
            f"GIT_ASKPASS={askpass}: git cannot ask for a credential through it (unable to read askpass response).",
            (Step("Unset it:", "unset GIT_ASKPASS"),),
        )
    if env.get("GIT_TERMINAL_PROMPT") == "0" and not setup.ci:
        yield _finding(
            "terminal-prompt-disabled",
            "info",
            "GIT_TERMINAL_PROMPT=0 is set",
            "git will not ask for a user name or password; only credential helpers can supply one.",
        )


def _installation(setup: Setup) -> Iterator[Finding]:
    """bbdiag's own integrations: installations that no longer work, and, once bbdiag is in use
    here (its observer or its global hook installed), the parts that are missing or left out."""
    from bbdiag.install import OBSERVER_MODULE, bypassed_global_hook, global_hooks_dir, is_ours, stale_installations

    directories = [setup.hooks_dir] if setup.hooks_dir else []
    helper_entries = [e for e in setup.config if e.key.startswith("credential.") and e.key.endswith(".helper")]
    for problem in stale_installations(directories, [e.value for e in helper_entries]):
        yield _finding(
            "bbdiag-install-stale",
            "warning",
            "A bbdiag installation points at an interpreter that is gone",
            f"{problem}. The hook lets pushes through and says so; the observer stays silent.",
            (Step("Reinstall from the bbdiag you use now:", "bbdiag install"),),
        )
    bypass = bypassed_global_hook(setup.config)
    if bypass:
        yield _finding(
            "bbdiag-hook-bypassed",
            "warning",
            "This repository bypasses bbdiag's global pre-push hook",
            f"{bypass}. git runs this repository's hooks from there only (husky does this), so its pushes are not checked.",
            (Step("Add bbdiag's lines to the pre-push hook there (this prints them; it changes nothing):", "bbdiag install --hook"),),
        )
    observers = [e for e in helper_entries if OBSERVER_MODULE in e.value]
    hook = setup.hooks_dir / "pre-push" if setup.hooks_dir and setup.git_dir else None
    hook_ours = hook is not None and (is_ours(hook) or _runs_bbdiag(hook))
    in_use = bool(observers) or hook_ours or is_ours(global_hooks_dir() / "pre-push")
    if not in_use or setup.git_dir is None:
        return
    if hook is not None and not hook_ours and not bypass:
        if hook.exists():
            yield _finding(
                "bbdiag-hook-foreign",
                "info",
                "The pre-push hook here is not bbdiag's and does not run it",
                f"{hook} is another tool's hook, so this repository's pushes are not checked before they leave. "
                "bbdiag's install keeps it and runs it first, with git's exact input.",
                (Step("Install bbdiag's hook beside it:", "bbdiag install --hook"),),
            )
        else:
            yield _finding(
                "bbdiag-hook-missing",
                "info",
                "bbdiag's pre-push hook is not installed in this repository",
                f"The credential observer is installed, but git finds no pre-push hook ({hook}), so a push that will fail "
                "(a retired credential, a secret in a commit, a file over the size limit) is not caught before it leaves.",
                (Step("Install it here:", "bbdiag install --hook"), Step("Or for every repository:", "bbdiag install --hook --global")),
            )
    if not observers:
        yield _finding(
            "bbdiag-observer-missing",
            "info",
            "bbdiag's credential observer is not installed",
            "The pre-push hook is, but no credential.helper runs the observer, so when a host refuses a credential git only "
            "says Authentication failed: the observer would say why at that moment.",
            (Step("Install it for every repository:", "bbdiag install --credential-observer --global"),),
        )
        return
    for remote in setup.remotes:
        if remote.push and remote.push.scheme in ("https", "http") and not any(h.name == "bbdiag-observer" for h in remote.helpers):
            reset = next((e for e in reversed(helper_entries) if not e.value), None)
            where = (
                f"An empty credential.helper in {reset.origin.removeprefix('file:')} resets the list"
                if reset
                else "A more specific credential.<url>.helper list leaves it out"
            )
            yield _finding(
                "bbdiag-observer-not-in-chain",
                "warning",
                "bbdiag's credential observer is installed but git does not run it for this repository's remotes",
                f"{where}, so the observer is not among the helpers git asks; a refused credential goes unexplained.",
                (
                    Step("See the helpers in effect, and where each is set:", "git config --show-origin --get-all credential.helper"),
                    Step("Add the observer after the others here:", "bbdiag install --credential-observer"),
                ),
            )


def _runs_bbdiag(hook: Path) -> bool:
    """A project's own hook with bbdiag's lines in it (`bbdiag install` prints them for a tracked hooks folder)."""
    try:
        with open(hook, encoding="utf-8", errors="replace") as handle:
            return "bbdiag hook pre-push" in handle.read(1 << 16)
    except OSError:
        return False


def _on_path(program: str) -> bool:
    import shutil

    return shutil.which(program.split()[0]) is not None if program.split() else False


def _scope_flag(scope: str) -> str:
    """git config's option for a scope; `command` (-c) has none, so the user level stands in."""
    return scope if scope in ("system", "global", "local", "worktree") else "global"


def _remove_helper_step(command: str, scope: str) -> Step:
    """`git config --unset-all` with a value pattern that matches exactly this helper; a helper
    line that holds a secret is edited instead, since a command matching it would print it."""
    import shlex

    pattern = "^" + re.sub(r"([.\[\](){}*+?|^$\\])", r"\\\1", command) + "$"  # git reads a POSIX extended regex
    if redact(pattern) != pattern:
        return Step(f"Remove it: open the {scope} configuration and delete that credential.helper line (it holds a secret):", f"git config --{scope} --edit")
    return Step("Remove it (then configure a helper that is installed):", f"git config --{scope} --unset-all credential.helper {shlex.quote(pattern)}")


# ------------------------------------------------------------------------------ --online
def online_checks(setup: Setup, remote: Remote, push: bool) -> list[Finding]:
    """Non-interactive git against the remote, changing nothing; its output explained like `explain`'s.

    `git ls-remote` proves fetching; with `push`, `git push --dry-run` proves pushing, which a
    read-only token fails while it passes ls-remote (the dry run opens git-receive-pack, where the
    host checks the push permission, and sends nothing)."""
    from bbdiag import library, pipeline

    env = noninteractive_env()
    env.update(LC_ALL="C", LANGUAGE="C", GIT_SSH_COMMAND=env.get("GIT_SSH_COMMAND", "ssh") + " -o BatchMode=yes")
    commands = [["ls-remote", "--heads", remote.name]]
    findings = []
    if push:
        refspec = push_refspec(setup.repository)
        if refspec:
            commands.append(dry_run_push(remote.name, refspec))
        else:
            findings.append(
                _finding(
                    "online-push-unchecked",
                    "info",
                    "Pushing was not checked: this repository has no commit yet",
                    "git push --dry-run needs a commit to offer; only fetching was checked.",
                    remote=remote.name,
                )
            )
    lib = library.load()
    for args in commands:
        try:
            done = child.run(["git", *args], cwd=setup.repository, env=env, timeout=60)
        except subprocess.TimeoutExpired:
            findings.append(
                _finding(
                    "online-timeout",
                    "error",
                    f"git {args[0]} did not finish within 60 s",
                    "The host did not answer in time: the network, a proxy or a firewall.",
                    remote=remote.name,
                )
            )
            continue
        label = "git " + " ".join(args)
        if done.returncode == 0:
            findings.append(_finding("online-ok", "ok", f"{label} works", f"{remote.name} answered and accepted the credential.", remote=remote.name))
            continue
        result = pipeline.diagnose_text(done.stderr.decode("utf-8", "replace"), label, lib)
        if not result.diagnoses:
            findings.append(_finding("online-failed", "error", f"{label} failed", _tail(done.stderr), remote=remote.name))
            continue
        for diagnosis, remedy in pipeline.remedies(result.diagnoses[:1], {0: pipeline.situation_for(setup, remote)}):
            evidence = "; ".join(h.text.strip() for h in diagnosis.evidence[:4])
            findings.append(
                _finding(f"online-{diagnosis.cause}", "error", f"{label}: {remedy.title}", f"{remedy.why} git said: {evidence}", remedy.steps, remote.name)
            )
    return findings


def dry_run_push(target: str, refspec: str) -> list[str]:
    """git's arguments that try pushing and change nothing: --dry-run sends nothing, and
    --no-verify runs none of the user's pre-push hooks (a test suite, a scanner), which a dry run
    would still start."""
    return ["push", "--dry-run", "--no-verify", "--porcelain", target, refspec]


def push_refspec(repository: Path | None) -> str | None:
    """What a dry run offers: the current commit, to the current branch's name (`main` when HEAD is
    detached); None when there is no commit. A dry run never sends it: nothing can change."""
    if repository is None:
        return None
    env = noninteractive_env()
    try:
        head = child.run(["git", "rev-parse", "-q", "--verify", "HEAD^{commit}"], cwd=repository, env=env, timeout=20)
        branch = child.run(["git", "symbolic-ref", "--short", "-q", "HEAD"], cwd=repository, env=env, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if head.returncode != 0:
        return None
    name = branch.stdout.decode("utf-8", "surrogateescape").strip() if branch.returncode == 0 else ""
    return f"HEAD:refs/heads/{name or 'main'}"


def _tail(data: bytes) -> str:
    lines = data.decode("utf-8", "replace").strip().splitlines()
    return " / ".join(lines[-3:]) if lines else "git printed nothing"
