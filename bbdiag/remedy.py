"""Diagnosis + situation + date -> what to do: a title, why it is true today, numbered steps.

Steps carry the exact command for this user's remote, workspace and repository and credential
helper when bbdiag knows them (from the output, or from the inspector), and a placeholder in
<angle brackets> when it does not. Advice that depends on a host's policy is chosen by the date
(knowledge/policies.toml), so `--as-of 2023-01-01` gives 2023's advice.

This module holds the shared steps (`Context`) and the generic remedy of each cause; a host
module's own remedy, steps, documents and words come first (`bbdiag.hosts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bbdiag import alternatives, hosts
from bbdiag.advice import ACCESS_NOT_CREDENTIALS, NOT_CREDENTIALS, Remedy, Step
from bbdiag.causes import CAUSES
from bbdiag.records import NamedTuple
from bbdiag.remote_urls import RemoteURL

TYPE_CHECKING = False
if TYPE_CHECKING:  # doctor uses Step and Situation without loading the pattern machinery
    from bbdiag.diagnose import Diagnosis
    from bbdiag.knowledge import Knowledge

__all__ = ["Context", "Remedy", "Situation", "Step", "build"]  # Remedy and Step live in bbdiag.advice; many callers import them here


class Situation(NamedTuple):
    """What the inspector (and the credential-helper observer) found about the user's setup for one
    remote: the situation a remedy is fitted to. Empty outside a repository. (A *fact* is a host's,
    from knowledge/facts.toml.)"""

    remote: str | None = None  # the remote's name
    url: RemoteURL | None = None  # the remote's configured URL (push URL for a push)
    helpers: tuple[str, ...] = ()  # credential helpers in effect for that URL, in order
    username: str | None = None  # credential.<url>.username, the URL's user, or the one git sent
    secret_kind: str | None = None  # what the rejected secret looked like (the observer knows)
    suggested_helper: str | None = None  # the credential.helper value that suits this machine (credential_helpers.helper_advice)
    notes: tuple[str, ...] = ()  # what is worth a line under the remedy


GENERIC_TRAILER = (
    "Only a generic line is here (git's last line, or the line of the tool that ran git), not git's line that "
    "says why it could not read from the remote. The most likely reading: {title}; it can also mean another "
    "cause below, and the check below decides."
)


# Said when neither the output nor the repository names the server and the commands had to name
# the hosted service, which the same product's self-hosted servers would not answer to.
ASSUMED_HOSTNAME = "The output does not name the server, so the commands below name {hostname}; on your own {name} server, put its host name in their place."


def build(diagnosis: Diagnosis, situation: Situation, knowledge: Knowledge, today: dt.date) -> Remedy:
    context = Context(diagnosis, situation, knowledge, today)
    found = context.remedy_for(diagnosis.cause)
    if diagnosis.primary.pattern.strength == 0:  # git's generic trailer, or a wrapper's line, alone
        found = found._replace(why=GENERIC_TRAILER.format(title=found.title[:1].lower() + found.title[1:]))
    if context.hostname_assumed and any(context.hostname in f"{step.text} {step.command or ''}" for step in found.steps):
        found = found._replace(why=f"{found.why} {ASSUMED_HOSTNAME.format(hostname=context.hostname, name=context.host.NAME)}")
    return found._replace(alternatives=alternatives.build(diagnosis, situation.url, situation.remote))


def was_push(d: Diagnosis) -> bool:
    """The failure was a push: only a push proves the fix (`ls-remote` passes with a read-only token)."""
    return d.cause == "token-scope-insufficient" or any("failed to push" in h.text for h in d.evidence)


class Context:
    """Everything a remedy may quote, with placeholders where it is not known, and the shared steps."""

    def __init__(self, diagnosis: Diagnosis, situation: Situation, knowledge: Knowledge, today: dt.date) -> None:
        self.d, self.situation, self.k, self.today = diagnosis, situation, knowledge, today
        self.host_id = diagnosis.host
        self.host = hosts.get(diagnosis.host)
        self.url: RemoteURL | None = situation.url or diagnosis.url
        self.remote = situation.remote or "origin"
        # hostname: the server's DNS name, for commands; host_label: how a sentence names the host.
        self.hostname = self.url.host if self.url and self.url.host else (self.host.HOSTNAME or "<host>")
        self.hostname_assumed = not (self.url and self.url.host) and self.host.SELF_HOSTED_TOO and self.host.HOSTNAME is not None
        self.host_label = self.host.NAME if hosts.is_named(self.host_id) else (self.hostname if self.url else self.host.NAME)

    def remedy_for(self, cause: str) -> Remedy:
        """The host's own remedy for `cause`, else the generic one."""
        return self.host.remedy(cause, self) or _REMEDIES[cause](self)

    @property
    def host_label_capitalised(self) -> str:
        """To begin a title with ("The Git host", "Git.example.com")."""
        return self.host_label[:1].upper() + self.host_label[1:]

    @property
    def https_url(self) -> str:
        """The remote as an HTTPS URL without secrets: what to `set-url` back to."""
        if self.url and self.url.scheme in ("https", "http") and self.url.path.strip("/"):
            # git prints the URL with a trailing '/' that the configured one does not have.
            return self.url.display.removesuffix("/") if self.url.path.endswith(".git/") else self.url.display
        own = self.host.text("https-url", self)
        if own:
            return own
        if self.url and self.url.host:
            path = self.url.path.lstrip("/")
            return f"https://{self.url.host}/{path}"
        return f"https://{self.hostname}/<owner>/<repository>.git"

    def set_url(self, username: str) -> Step:
        url = self.https_url
        prefix, sep, rest = url.partition("://")
        # In the URL the user name is percent-encoded again, as git reads it: `jane%40example.com`,
        # and never a character the shell or a terminal would act on.
        in_url = username if username.startswith("<") else _percent_encoded(username)
        return Step(
            f"Point {self.remote} at the HTTPS URL with {'that user name' if username.startswith('<') else 'the user name ' + username} "
            "(no password or token in the URL):",
            f"git remote set-url {self.remote} {prefix}{sep}{in_url}@{rest}",
        )

    def erase(self) -> Step:
        """Remove the stored credential from the helper the user actually has.

        Helpers key a credential by the remote's scheme, host and port (Data Center's :7990):
        the command names exactly those, or it erases nothing."""
        scheme = self.url.scheme if self.url and self.url.scheme in ("http", "https") else "https"
        port = f":{self.url.port}" if self.url and self.url.port and self.url.scheme in ("http", "https") else ""
        query = f"printf 'protocol={scheme}\\nhost={self.hostname}{port}\\n\\n'"
        # With one helper its own command is exact; with several, `git credential reject` reaches them all.
        helper = self.situation.helpers[0] if len(set(self.situation.helpers)) == 1 else None
        generic = f"{query} | git credential reject"
        specific = {
            "osxkeychain": f"{query} | git credential-osxkeychain erase",
            "manager": f"{query} | git credential-manager erase",
            "manager-core": f"{query} | git credential-manager erase",
            "wincred": f"cmdkey /delete:git:{scheme}://{self.hostname}{port}",
            "libsecret": f"secret-tool clear protocol {scheme} server {self.hostname}" + (f" port {port[1:]}" if port else ""),
            "cache": "git credential-cache exit",
        }
        if helper is None or helper.startswith("!"):
            return Step(f"Make git forget the credential it has stored for {self.hostname} (every configured helper erases it):", generic)
        name = helper.split()[0].removeprefix("git-credential-").removeprefix("credential-")
        if name == "store":
            return Step(f"Remove the stored credential for {self.hostname} from your plaintext store (the `store` helper):", generic)
        command = specific.get(name, generic)
        return Step(f"Make your credential helper ({name}) forget the credential stored for {self.hostname}:", command)

    @property
    def pushing(self) -> bool:
        return was_push(self.d)

    @property
    def ssh_target(self) -> str:
        """`ssh -T`'s arguments for this remote: its port and the user it logs in as (the host's only one, else the URL's)."""
        port = f"-p {self.url.port} " if self.url and self.url.is_ssh and self.url.port else ""
        user = self.host.SSH_USER or (self.url.username if self.url and self.url.is_ssh and self.url.username else "git")
        return f"{port}{user}@{self.hostname}"

    def check(self) -> Step:
        if self.url and self.url.is_ssh:
            return Step("Check that it works:", f"ssh -T {self.ssh_target}")
        if self.pushing:
            return Step(
                "Check that pushing works, without pushing anything (git asks for the user name and token once, then the helper stores them):",
                f"git push --dry-run {self.remote} HEAD",
            )
        return Step("Check that it works (git asks for the user name and token once, then the helper stores them):", f"git ls-remote {self.remote}")

    def evidence_has(self, *pattern_ids: str) -> bool:
        """One of these patterns is in the evidence (test_pattern_ids: each id names a pattern)."""
        return any(h.pattern.id in pattern_ids for h in self.d.evidence)

    def primary_is(self, *pattern_ids: str) -> bool:
        """The line that decided the cause is one of these patterns."""
        return self.d.primary.pattern.id in pattern_ids

    def fact(self, fact_id: str) -> str:
        return self.k.fact(fact_id)

    def after(self, policy_id: str) -> bool:
        return self.k.policies[policy_id].starts <= self.today

    def policy_date(self, policy_id: str) -> str:
        return self.k.date_of(policy_id)

    # -------------------------------------------------------------------------- shared remedy shapes
    def read_only_key(self) -> Step:
        """A push with a deploy (access) key that may only read: a host's own wording says so (`steps`)."""
        return Step(
            "A deploy/access key is read-only unless write access was granted when it was added: use a key of a user with write access, or allow write access for the key."
        )

    def host_key_rotated(self, policy_id: str, fingerprint_fact: str, add_keys: str, check: Step) -> Remedy:
        """A host that replaced its SSH host key (`policy_id`): forget the pinned key, add the current ones."""
        return Remedy(
            f"{self.host_label}'s SSH host key changed since it was pinned",
            f"{self.host_label} rotated its RSA host key on {self.policy_date(policy_id)}; a known_hosts entry with the old key now fails. {NOT_CREDENTIALS}",
            (
                Step("Remove the old key:", f"ssh-keygen -R {self.host.HOSTNAME or self.hostname}"),
                Step(f"Add {self.host_label}'s current keys (check that the RSA fingerprint is {self.fact(fingerprint_fact)}):", add_keys),
                check,
            ),
            (self.k.policies[policy_id].sources[0],),
        )

    def forget_create_retry(self, title: str, why: str, create: Step, retry: str, docs: str) -> Remedy:
        """The usual shape for a refused credential: forget the stored one, create a new one, use it."""
        return Remedy(title, why, (self.erase(), create, Step(retry), self.check()), (docs,))

    def token_instead_of_password(self, title: str, docs: tuple[str, ...]) -> Remedy:
        """For a host that takes a personal access token (or an SSH key) and never the account password."""
        return Remedy(
            title,
            f"{self.host_label} wants a personal access token (or an SSH key) for Git, not the account password; with two-factor authentication a password never works.",
            (
                Step(f"Create a personal access token on {self.host_label} that can read and write repositories."),
                self.erase(),
                Step("Run the command again and give the token as the password."),
                self.check(),
            ),
            docs,
        )


# ------------------------------------------------------------------------------ credentials
def _app_password_retired(c: Context) -> Remedy:
    # Only Bitbucket Cloud had app passwords of this kind (its module answers); elsewhere it is a refused credential.
    return c.remedy_for("credentials-rejected")


def _account_password_rejected(c: Context) -> Remedy:
    return c.token_instead_of_password(f"{c.host_label} does not accept your account password for Git", c.host.docs("account-password-rejected", c))


def _credentials_rejected(c: Context) -> Remedy:
    return Remedy(
        f"{c.host_label_capitalised} rejected the credential",
        "The host refused the user name and password or token that git sent: wrong, expired or revoked, or a password where the host needs a token.",
        (c.erase(), Step("Create or look up a valid token for this host and run the command again; give the token as the password."), c.check()),
        (),
    )


def _token_scope(c: Context) -> Remedy:
    return Remedy(
        "The token lacks a permission",
        "The token authenticated, but lacks a scope the operation needs (writing, or workflow files).",
        (Step("Create a token with write access to repositories."), c.erase(), Step("Run the command again with the new token.")),
    )


def _credentials_missing(c: Context) -> Remedy:
    steps = [
        Step(
            "Git had no credential and could not ask for one (no terminal: CI, an IDE, a cron job, or GIT_TERMINAL_PROMPT=0). "
            "Give it a credential helper, or run the command once in a terminal so the helper stores one."
        ),
        *c.host.steps("credentials-missing", c),  # how this host's CI hands git a credential
    ]
    if c.situation.helpers:
        steps.append(
            Step(
                f"Your credential helper ({', '.join(dict.fromkeys(c.situation.helpers))}) holds nothing for {c.hostname}: run the command once "
                "in a terminal and give the user name and token; the helper keeps them."
            )
        )
    else:
        import shlex  # here: most remedies quote nothing

        helper = c.situation.suggested_helper or "cache --timeout=86400"
        steps.append(
            Step(
                "On a workstation, set up a credential helper once (one that is installed here):",
                f"git config --global credential.helper {shlex.quote(helper)}",
            )
        )
    steps.append(c.check())
    return Remedy("Git needed a credential and could not ask for one", "Git asked for a user name or password where nobody could answer.", tuple(steps))


def _account_locked(c: Context) -> Remedy:
    return Remedy(
        f"Your account on {c.host_label} is locked, blocked or expired",
        "The host refuses this account whatever the credential; only its administrators can lift that.",
        (Step(f"Contact the administrators of {c.host_label} (or its support) to unlock the account, then run the command again."),),
    )


def _sso(c: Context) -> Remedy:
    return Remedy(
        "The token is not authorised for the organisation's single sign-on",
        "The organisation enforces single sign-on; a token or SSH key must be authorised for it before it can reach the organisation's repositories.",
        (
            Step(f"On {c.host_label}, open your tokens and SSH keys and authorise the one git uses for the organisation's single sign-on."),
            c.check(),
        ),
    )


def _proxy(c: Context) -> Remedy:
    return Remedy(
        "The proxy wants credentials",
        "A proxy between git and the host answered 407: it is the proxy's login, not the Git host's, that is missing.",
        (
            Step(
                "Give git the proxy with your proxy user name (git asks for the password, or set http.proxyAuthMethod):",
                "git config --global http.proxy http://<proxy-user>@<proxy-host>:<port>",
            ),
            Step("Check what proxy git uses now:", "git config --show-origin --get-regexp '^https?\\.proxy'"),
        ),
    )


def _helper_failed(c: Context) -> Remedy:
    if any("No credential store has been selected" in h.text for h in c.d.evidence):
        return _gcm_no_store(c)
    helper = c.d.primary.captures.get("helper")
    steps = list(c.host.steps("credential-helper-failed", c))  # a helper this host needs and the user lacks
    if helper and "manager-core" in helper:
        steps.append(Step("Git Credential Manager was renamed: point git at its new name:", "git config --global credential.helper manager"))
    steps += [
        Step("See which helpers are configured, and where:", "git config --show-origin --get-all credential.helper"),
        Step("Remove a helper that is not installed or does not work here, and configure one that is:", "git config --global --unset-all credential.helper"),
        c.check(),
    ]
    return Remedy(
        "The credential helper failed", "Git's credential helper could not run or could not reach its store, so git had no credential to send.", tuple(steps)
    )


def _gcm_no_store(c: Context) -> Remedy:
    # GCM's own message and fix (its credstores document): on Linux it has no default store.
    return Remedy(
        "Git Credential Manager has no credential store to use",
        "On Linux Git Credential Manager needs to be told where to keep credentials (credential.credentialStore or GCM_CREDENTIAL_STORE); "
        "until then it stops before asking. The helper is fine: keep it, and choose its store.",
        (
            Step("On a desktop, keep credentials in the desktop keyring (Secret Service):", "git config --global credential.credentialStore secretservice"),
            Step(
                "Without a desktop (SSH, containers), use GCM's in-memory cache, or gpg with `pass` set up:",
                "git config --global credential.credentialStore cache",
            ),
            c.check(),
        ),
        (c.fact("gcm-credential-stores-docs"),),
    )


def _ssh_key(c: Context) -> Remedy:
    keys_page = c.host.text("ssh-keys-page", c) or f"your account's SSH keys page on {c.host_label}"
    return Remedy(
        "No SSH key the host accepts was offered",
        "Over SSH the host authenticates by key: none of the keys ssh offered is registered to an account with access "
        "(no key, a key not added to the account, an agent that is not running, a key file ssh cannot read, or an old RSA/SHA-1 key).",
        (
            Step("See which key ssh offers and what the host answers:", f"ssh -vT {c.ssh_target}"),
            Step("If you have no key yet, create one:", 'ssh-keygen -t ed25519 -C "<you@example.com>"'),
            Step("Load it into the agent:", "ssh-add ~/.ssh/id_ed25519"),
            Step(f"Add the public key (~/.ssh/id_ed25519.pub) at {keys_page}. A repository access/deploy key is read-only: pushing needs a personal key."),
            Step("Check that it works:", f"ssh -T {c.ssh_target}"),
        ),
    )


def _ssh_host_key(c: Context) -> Remedy:
    # A host that rotated its key says so in its own remedy (`ssh-host-key-changed`).
    return Remedy(
        "SSH does not trust the server's host key",
        f"ssh refused the server: its host key is unknown (and nobody could confirm it in a non-interactive run) or differs from the one pinned in known_hosts. {NOT_CREDENTIALS}",
        (
            Step("Compare the server's key with the fingerprint the host publishes:", f"ssh-keyscan {c.hostname} | ssh-keygen -lf -"),
            Step("If it matches, replace the pinned entry:", f"ssh-keygen -R {c.hostname} && ssh-keyscan {c.hostname} >> ~/.ssh/known_hosts"),
            Step("In CI, add the host's published keys to known_hosts in the job instead of turning checking off."),
        ),
    )


def _not_credentials(title: str, why: str, steps: list[Step], docs: tuple[str, ...] = ()) -> Remedy:
    return Remedy(title, f"{why} {NOT_CREDENTIALS}", tuple(steps), docs)


def _tls(c: Context) -> Remedy:
    return _not_credentials(
        "The HTTPS certificate could not be verified",
        "git could not verify the server's certificate: an internal or intercepting proxy's CA, a self-signed or expired certificate, or a missing CA bundle.",
        [
            Step("Look at the certificate chain the server presents:", f"openssl s_client -connect {c.hostname}:443 -servername {c.hostname} </dev/null"),
            Step(
                "Trust your organisation's CA for this host only (never set http.sslVerify false):",
                f"git config --global http.https://{c.hostname}/.sslCAInfo /path/to/company-ca.pem",
            ),
            Step("On Windows, let git use the system certificate store:", "git config --global http.sslBackend schannel"),
        ],
    )


def _network(c: Context) -> Remedy:
    return _not_credentials(
        f"{c.host_label_capitalised} could not be reached, or the transfer broke",
        "The failure is in the path to the host: name resolution, a refused or timed-out connection, a proxy, or a transfer cut short.",
        [
            Step("Check name resolution and the connection:", f"git ls-remote {c.https_url if not (c.url and c.url.is_ssh) else c.remote}"),
            Step("Check the proxy settings git uses:", "git config --show-origin --get-regexp '^https?\\.proxy'"),
            *_ssh_over_443(c),
        ],
    )


def _ssh_over_443(c: Context) -> list[Step]:
    alternative = c.host.text("ssh-over-443", c)  # the host name that answers SSH on port 443
    if not alternative or not (c.url and c.url.is_ssh):
        return []
    return [Step(f"On a network that blocks SSH's port 22, {c.host_label} also answers SSH on port 443:", f"ssh -T -p 443 git@{alternative}")]


def _remote_misconfigured(c: Context) -> Remedy:
    steps = [
        Step("See the remotes as configured:", "git remote -v"),
        Step(
            "Set the clone URL the host shows on the repository page (HTTPS, or SSH as git@host:owner/repo.git):", f"git remote set-url {c.remote} <clone-url>"
        ),
    ]
    if c.primary_is("curl-url-malformed", "curl-could-not-resolve-host"):
        steps.insert(
            1,
            Step(
                "A password or token pasted into the URL breaks it when it holds '/', '@' or ':'"
                + (f" ({note})" if (note := c.host.text("url-token-note", c)) else "")
                + ": take it out of the URL and let a credential helper keep it."
            ),
        )
    return _not_credentials(
        "The remote itself is wrong",
        "The remote URL or name does not lead to a repository: a typo, mixed scp/ssh syntax, a web page's URL, or credentials pasted into the URL.",
        steps,
    )


def _access(title: str, why: str, steps: list[Step], docs: tuple[str, ...] = ()) -> Remedy:
    return Remedy(title, f"{why} {ACCESS_NOT_CREDENTIALS}", tuple(steps), docs)


def _permission_denied(c: Context) -> Remedy:
    steps = [
        Step(
            "Check which account git authenticates as (a different account than you think is common):",
            f"ssh -T {c.ssh_target}" if c.url and c.url.is_ssh else f"git credential fill <<< $'protocol=https\\nhost={c.hostname}\\n' | grep username",
        )
    ]
    who = c.d.primary.captures.get("who", "")
    own = c.host.steps("permission-denied", c)  # where this host grants write access (a workflow's token, a Contribute permission)
    if own:
        steps[0:0] = own
    elif "deploy key" in who:
        steps.insert(0, c.read_only_key())
    steps.append(Step(f"Ask an administrator of the repository on {c.host_label} for write access for that account."))
    return _access("This identity may not do this to the repository", "The host knows who you are and refused the operation for that identity.", steps)


def _repository_not_found(c: Context) -> Remedy:
    return _access(
        "The repository does not exist at that URL, or is hidden from you",
        "Hosts answer 'not found' for a private repository the account cannot see, as for one that does not exist.",
        [
            Step("Check the URL for typos, the owner/workspace and the repository name:", "git remote -v"),
            Step(
                "If the repository is private, check that git authenticates as an account that can see it (a stored credential of another account is common)."
            ),
            Step(f"Ask for access on {c.host_label}, or set the right URL:", f"git remote set-url {c.remote} <clone-url>"),
        ],
    )


def _branch_protected(c: Context) -> Remedy:
    return _not_credentials(
        "A branch rule refused the update",
        "The branch is protected: changes must come through a pull request, pass required checks, or may not be forced.",
        [
            Step("Push to a new branch instead:", f"git push {c.remote} HEAD:refs/heads/<new-branch>"),
            Step("Open a pull request from it into the protected branch."),
        ],
        c.host.docs("branch-protected", c),
    )


def _policy(c: Context) -> Remedy:
    return _not_credentials(
        "A server policy refused the push",
        "A hook or policy on the server refused the content of the push; the `remote:` lines in the evidence say which rule.",
        [
            Step(
                "Read the remote's lines above, fix the commits they name (author email, a secret, a missing issue key), then rewrite them:",
                "git rebase -i @{upstream}",
            ),
            Step("Push again:", f"git push {c.remote}"),
        ],
    )


def _non_fast_forward(c: Context) -> Remedy:
    return _not_credentials(
        "The remote has commits you do not have",
        "Someone pushed to the branch since you last fetched.",
        [Step("Bring their commits in, then push:", "git pull --rebase"), Step("Push again:", f"git push {c.remote}")],
    )


def _size_limit(c: Context) -> Remedy:
    if c.evidence_has("http-413"):
        return _not_credentials(
            "The push was larger than the server accepts",
            "The server, or a proxy in front of it, refused the request body (HTTP 413).",
            [
                Step("Push in smaller pieces, e.g. one commit range at a time:", f"git push {c.remote} <older-commit>:refs/heads/<branch>"),
                Step("Ask the server's administrators to raise the request size limit (for nginx: client_max_body_size)."),
            ],
        )
    steps = [
        Step(
            "Find the large files in the history:",
            "git rev-list --objects --all | git cat-file --batch-check='%(objecttype) %(objectname) %(objectsize) %(rest)' | sort -k3 -n | tail -20",
        ),
        Step("Move them to Git LFS, rewriting the unpushed commits:", "git lfs migrate import --include='<pattern>'"),
    ]
    return _not_credentials(
        "A size or quota limit refused the push",
        "The repository, a file in it, or the account's storage is over the host's limit.",
        steps,
        c.host.docs("size-limit", c),
    )


_REMEDIES: dict[str, Callable[[Context], Remedy]] = {
    "app-password-retired": _app_password_retired,
    "account-password-rejected": _account_password_rejected,
    "sso-authorization-required": _sso,
    "token-scope-insufficient": _token_scope,
    "account-locked": _account_locked,
    "proxy-auth-required": _proxy,
    "credential-helper-failed": _helper_failed,
    "credentials-rejected": _credentials_rejected,
    "credentials-missing": _credentials_missing,
    "ssh-key-rejected": _ssh_key,
    "size-limit": _size_limit,
    "branch-protected": _branch_protected,
    "push-rejected-by-policy": _policy,
    "non-fast-forward": _non_fast_forward,
    "ssh-host-key": _ssh_host_key,
    "tls-certificate": _tls,
    "permission-denied": _permission_denied,
    "repository-not-found": _repository_not_found,
    "remote-misconfigured": _remote_misconfigured,
    "network": _network,
}
assert set(_REMEDIES) == set(CAUSES), "every cause needs a remedy"


_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _percent_encoded(text: str) -> str:
    """`text` percent-encoded for a URL's user part (RFC 3986's unreserved characters stay)."""
    if _UNRESERVED.issuperset(text):  # what quote() leaves alone: most user names, and no import
        return text
    from urllib.parse import quote  # with ipaddress, 3 ms of explain's start-up

    return quote(text, safe="-._~")
