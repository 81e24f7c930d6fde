"""Bitbucket Cloud (bitbucket.org): app passwords retired for API tokens, x-token-auth, workspaces."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from bbdiag.advice import Finding, Remedy, Step
from bbdiag.hosts import base
from bbdiag.hosts.base import Checkup, TokenShape

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bbdiag.inspector import Setup, StoredCredential
    from bbdiag.knowledge import Knowledge
    from bbdiag.remedy import Context
    from bbdiag.remote_urls import RemoteURL

ID = "bitbucket-cloud"
NAME = "Bitbucket Cloud"
HOSTNAME = "bitbucket.org"
SELF_HOSTED_TOO = False
PRODUCT_WORDS: tuple[str, ...] = ()  # a host name saying "bitbucket" is a self-hosted Data Center
FILE_SIZE_LIMIT = None
FILE_SIZE_WARNING = None
# The RSA host key Bitbucket Cloud replaced (policy bitbucket-rsa-host-key-rotated; its old
# fingerprint is the fact bitbucket-old-rsa-fingerprint).
RETIRED_HOST_KEYS = (
    "AAAAB3NzaC1yc2EAAAABIwAAAQEAubiN81eDcafrgMeLzaFPsw2kNvEcqTKl/VqLat/MaB33pZy0y3rJZtnqwR2qOOvbwKZYKiEO1O6VqNEBxKvJJelCq0dTXWT5pbO2gDXC6h6QDXCaHo6pOHGPUy+YBaGQRGuSusMEASYiWunYN0vCAI8QaXnWMXNMdFP3jHAJH0eDsoiGnLPBlBp4TNm6rYI74nMzgz3B9IikW4WVK+dc8KZJZWYjAuORU3jc1c/NPskD2ASinf8v3xnfXeukU0sJ5N6m5E8VLjObPEO+mN2t/FZTMZLiFqPWc/ALSqnMnnhwrNi2rbfg/rd/IpL8Le3pSBne8+seeFVBoGqzHM9yXw==",
)
SSH_HOST_KEY_FACTS = (
    ("ED25519", "bitbucket-ed25519-fingerprint"),
    ("ECDSA", "bitbucket-ecdsa-fingerprint"),
    ("RSA", "bitbucket-rsa-fingerprint"),
)  # the fingerprints it publishes (facts.toml), by key type
SSH_USERS: tuple[str, ...] = ()
SSH_USER = "git"  # SSH only as git: the key decides the account
URL_SCHEMES: tuple[str, ...] = ()
DOC_HOSTS = ("atlassian.community", "bitbucket.status.atlassian.com")
TOKEN_SHAPES = (
    # "ATBB" and 32 more characters (an app password as Bitbucket shows it once). 24 still
    # catches one cut short in a log, and nothing that is not a secret starts ATBB that long.
    TokenShape("ATBB", "[A-Za-z0-9_=-]", 24, "app-password", "a Bitbucket app password (ATBB…)"),
    # Atlassian API tokens (ATATT3…) are about 190 characters and access tokens (ATCTT3…) as long:
    # 24 after the prefix is far below a real one and far above any placeholder.
    TokenShape("ATATT3", "[A-Za-z0-9_=+/-]", 24, "api-token", "an Atlassian API token (ATATT3…)"),
    TokenShape("ATCTT3", "[A-Za-z0-9_=+/-]", 24, "access-token", "a Bitbucket access token (ATCTT3…)"),
)
_OWN_HOSTS = ("bitbucket.org", "api.bitbucket.org", "altssh.bitbucket.org")


def owns(hostname: str, scheme: str) -> bool:
    return hostname in _OWN_HOSTS or hostname.endswith(".bitbucket.org")


signs = base.no_signs


def slug(url: RemoteURL) -> tuple[str, str] | None:
    """(workspace, repository) from a Bitbucket URL's path (Data Center's `/scm/PROJECT/repo` too)."""
    parts = [p for p in url.path.strip("/").split("/") if p]
    if parts[:1] == ["scm"]:
        parts = parts[1:]
    if len(parts) < 2:
        return None
    repo = parts[1][:-4] if parts[1].endswith(".git") else parts[1]
    return parts[0], repo


def text(slot: str, c: Context) -> str | None:
    if slot == "https-url":
        workspace, repo = (slug(c.url) if c.url else None) or ("<workspace>", "<repository>")
        return f"https://{HOSTNAME}/{workspace}/{repo}.git"
    if slot == "ssh-keys-page":
        return c.fact("bitbucket-ssh-keys-page")
    if slot == "ssh-over-443":
        return "altssh.bitbucket.org"
    return None


def docs(cause: str, c: Context) -> tuple[str, ...]:
    if cause == "branch-protected":
        return (c.fact("bitbucket-branch-permissions-docs"),)
    if cause == "size-limit":
        return (c.fact("bitbucket-size-docs"),)
    return ()


def steps(cause: str, c: Context) -> tuple[Step, ...]:
    if cause == "credentials-missing":
        token_user = c.fact("bitbucket-access-token-username")
        return (
            Step(
                f"In CI, keep a Bitbucket token in a secured variable and hand it to git without writing it into the URL "
                f"(user name {token_user} for an access token, your Bitbucket user name for an API token):",
                f"git -c credential.helper='!f() {{ echo username={token_user}; echo \"password=$BITBUCKET_TOKEN\"; }}; f' fetch {c.remote}",
            ),
        )
    if cause == "permission-denied" and c.primary_is("bitbucket-deploy-key-read-only"):
        return (c.read_only_key(),)
    return ()


def remedy(cause: str, c: Context) -> Remedy | None:
    build = _REMEDIES.get(cause)
    return build(c) if build else None


# ------------------------------------------------------------------------------ credentials
def _new_credential(c: Context, title: str, why: str) -> Remedy:
    """Replace the refused credential with the one Bitbucket Cloud takes on `c.today`."""
    if c.after("bitbucket-app-passwords-not-issued"):
        create = Step(
            f'Create an API token with scopes at {c.fact("bitbucket-api-token-page")} ("Create API token with scopes", '
            f"app Bitbucket) with the scopes {_api_token_scopes(c.k)} (read alone is enough to clone and fetch)."
        )
        again = Step(
            f"Run the command again and give the API token as the password. The user name is your Bitbucket user name "
            f"(not your email), or {c.fact('bitbucket-api-token-git-username')}.",
        )
    else:
        create = Step(f"Create an app password at {c.fact('bitbucket-app-password-page')} with the permissions {c.fact('bitbucket-app-password-permissions')}.")
        again = Step("Run the command again and give the app password as the password, with your Bitbucket user name.")
    note = _email_username_note(c)
    steps = (create, *([note] if note else []), c.erase(), c.set_url(_url_username(c)), again, c.check())
    return Remedy(title, why, steps, _docs(c))


def _url_username(c: Context) -> str:
    """The user name for the remote's URL: the one the setup knows when it names a person."""
    known = c.situation.username or (c.url.username if c.url else None)
    # The SSH user and the access tokens' fixed user name name no person: never put them back in a URL.
    if known and "@" not in known and known not in (SSH_USER, c.fact("bitbucket-access-token-username")) and not known.startswith("<"):
        return known
    return "<your-bitbucket-username>"


def _api_token_scopes(k: Knowledge) -> str:
    """The scopes an API token needs for Git: reading, and writing to push."""
    return f"{k.fact('bitbucket-api-token-read-scope')}, {k.fact('bitbucket-api-token-write-scope')}"


def _email_username_note(c: Context) -> Step | None:
    known = c.situation.username or (c.url.username if c.url else None)
    if known and "@" in known:
        return Step(
            f"The Git user name is an email address ({known}). Git over HTTPS needs your Bitbucket "
            f"user name (shown at {c.fact('bitbucket-username-page')}), or "
            f"{c.fact('bitbucket-api-token-git-username')} with an API token."
        )
    return None


def _docs(c: Context) -> tuple[str, ...]:
    if c.after("bitbucket-app-passwords-not-issued"):
        return (c.fact("bitbucket-api-token-docs"),)
    return (c.fact("bitbucket-app-password-docs"),)


def _app_password_retired(c: Context) -> Remedy:
    brownouts = c.k.policies["bitbucket-app-password-brownouts"]
    if brownouts.in_force(c.today) and brownouts.ends:
        last_day = brownouts.ends - dt.timedelta(days=1)  # `ends` is the first day without them
        why = (
            f"This was a brownout: between {brownouts.starts} and {last_day} Bitbucket Cloud refuses app passwords during announced "
            "windows (HTTP 410) and takes them outside them. From "
            f"{c.policy_date('bitbucket-app-passwords-removed')} they stop working for good: replace yours now."
        )
    elif c.after("bitbucket-app-passwords-removed"):
        why = (
            f"Bitbucket Cloud removed app passwords on {c.policy_date('bitbucket-app-passwords-removed')} (CHANGE-3222): Git over "
            "HTTPS now answers HTTP 410 to any app password. An API token with scopes replaces it."
        )
    else:
        why = "Bitbucket Cloud answered that app passwords are deprecated (CHANGE-3222): replace the app password with an API token."
    return _new_credential(c, "Bitbucket Cloud no longer accepts app passwords", why)


def _account_password_rejected(c: Context) -> Remedy:
    why = f"Bitbucket Cloud has refused Atlassian account passwords for Git over HTTPS since {c.policy_date('bitbucket-account-passwords-refused')}."
    if c.after("bitbucket-app-passwords-not-issued"):
        why += (
            " Its message still recommends app passwords, but none can be created since "
            f"{c.policy_date('bitbucket-app-passwords-not-issued')} and they stopped working on "
            f"{c.policy_date('bitbucket-app-passwords-removed')}: use an API token."
        )
    return _new_credential(c, "Bitbucket Cloud does not accept your account password for Git", why)


def _rejected_by_kind(c: Context) -> Remedy | None:
    """When the rejected secret's kind is known (the credential-helper observer), say exactly what is wrong."""
    kind, user = c.situation.secret_kind, c.situation.username or ""
    token_user = c.fact("bitbucket-api-token-git-username")
    if kind == "password":
        return _account_password_rejected(c)
    if kind == "app-password" and c.after("bitbucket-app-passwords-removed"):
        return _app_password_retired(c)
    if kind == "api-token" and "@" in user:
        return Remedy(
            "An API token was sent with an email address as the user name",
            f"Bitbucket Cloud's Git over HTTPS takes an API token only with your Bitbucket user name or {token_user}; with the email address ({user}) it answers 401. The token itself may be fine.",
            (c.erase(), c.set_url(_url_username(c)), Step("Run the command again and give the same API token as the password."), c.check()),
            _docs(c),
        )
    if kind == "access-token" and user != c.fact("bitbucket-access-token-username"):
        return Remedy(
            "A Bitbucket access token was sent with the wrong user name",
            f"Repository, project and workspace access tokens take the user name {c.fact('bitbucket-access-token-username')}, not '{user or 'none'}'.",
            (
                c.erase(),
                c.set_url(c.fact("bitbucket-access-token-username")),
                Step("Run the command again and give the access token as the password."),
                c.check(),
            ),
            (c.fact("bitbucket-access-token-docs"),),
        )
    if kind == "api-token":
        return _new_credential(
            c,
            "Bitbucket Cloud rejected the API token",
            'The user name is right, so the token itself was refused: revoked, expired, or created without scopes (only tokens made with "Create API token with scopes" work for Git).',
        )
    return None


def _credentials_rejected(c: Context) -> Remedy:
    specific = _rejected_by_kind(c)
    if specific:
        return specific
    if c.after("bitbucket-app-passwords-removed"):
        why = (
            "Bitbucket Cloud refused the credential git sent. Since app passwords stopped working "
            f"({c.policy_date('bitbucket-app-passwords-removed')}) the usual reasons are: an app password still stored in "
            "the credential helper, an API token used with the email address as user name, an API token created without "
            "scopes, or an account password."
        )
    elif c.after("bitbucket-app-passwords-not-issued"):
        why = "Bitbucket Cloud refused the credential git sent: a wrong or revoked app password or token, or an account password."
    else:
        why = "Bitbucket Cloud refused the credential git sent: a wrong or revoked app password, or an account password."
    return _new_credential(c, "Bitbucket Cloud rejected the credential", why)


def _token_scope(c: Context) -> Remedy:
    return Remedy(
        "The Bitbucket token lacks a scope",
        f"The token authenticated, but Bitbucket refused the operation (HTTP 403): pushing needs {c.fact('bitbucket-api-token-write-scope')}, "
        f"cloning and fetching {c.fact('bitbucket-api-token-read-scope')}. A token's scopes cannot be changed after it is created.",
        (
            Step(
                f"Create a new API token with scopes at {c.fact('bitbucket-api-token-page')} with {_api_token_scopes(c.k)} "
                f"(for a repository access token: {c.fact('bitbucket-access-token-permissions')}; its user name is {c.fact('bitbucket-access-token-username')})."
            ),
            c.erase(),
            Step("Run the command again and give the new token as the password."),
            c.check(),
        ),
        (c.fact("bitbucket-api-token-docs"),),
    )


# ------------------------------------------------------------------------------ SSH
def _ssh_host_key(c: Context) -> Remedy | None:
    if not c.evidence_has("ssh-host-key-changed"):
        return None
    return c.host_key_rotated(
        "bitbucket-rsa-host-key-rotated",
        "bitbucket-rsa-fingerprint",
        f"curl -fsS {c.fact('bitbucket-ssh-host-keys')} >> ~/.ssh/known_hosts",  # the page lists them as known_hosts lines
        Step("Check which host key you now trust (Bitbucket prints its fingerprints):", f"ssh git@{HOSTNAME} host_key_info"),
    )


# ------------------------------------------------------------------------------ doctor
def check_https(c: Checkup) -> Iterator[Finding]:
    remote, url, k = c.remote, c.url, c.k
    username = remote.username or url.username
    if username and "@" in username:
        yield Finding(
            "email-username",
            "error",
            f"{remote.name} uses an email address as the Bitbucket user name",
            f"Bitbucket Cloud refuses an email address as the Git user name over HTTPS (401), even with a valid API token. Use your Bitbucket user name (see {k.fact('bitbucket-username-page')}) or {k.fact('bitbucket-api-token-git-username')}.",
            (Step("Set the user name in the URL:", f"git remote set-url {remote.name} {url.with_username('<your-bitbucket-username>')}"),),
            remote.name,
        )
    if any(h.name in ("manager", "manager-core") and h.installed is not False for h in remote.helpers):
        modes = c.setup.environment.get("GCM_BITBUCKET_AUTHMODES") or c.setup.environment.get("credential.bitbucketauthmodes")
        yield Finding(
            "gcm-bitbucket-auth-modes",
            "info",
            f"Git Credential Manager signs in to Bitbucket with: {modes or 'OAuth in a browser when a desktop is available, else user name and token'}",
            "To use an API token (a headless machine, or a token you manage), make GCM ask for user name and token instead of OAuth.",
            (Step("Ask for user name and token:", "git config --global credential.bitbucketAuthModes basic"),),
            remote.name,
        )


def check_stored(c: Checkup, credential: StoredCredential, where: str) -> Iterator[Finding]:
    k, today, remote = c.k, c.today, c.remote
    removed = k.policies["bitbucket-app-passwords-removed"]
    if credential.kind == "app-password":
        if today >= removed.starts:
            severity, title = "error", f"The stored app password stopped working on {removed.starts}"
        else:
            severity, title = "warning", f"The stored app password stops working on {removed.starts}"
        brownout = k.policies["bitbucket-app-password-brownouts"]
        detail = f"{where} holds a Bitbucket app password for {credential.username or 'an unknown user'}. {removed.summary}"
        if brownout.in_force(today):
            detail += f" Until then brownouts refuse it in announced windows ({brownout.starts} to {brownout.ends})."
        yield Finding("app-password-stored", severity, title, detail, _replace_credential(c, credential), remote.name)
    elif credential.kind == "password" and today >= k.policies["bitbucket-account-passwords-refused"].starts:
        yield Finding(
            "account-password-stored",
            "error",
            "The stored Bitbucket credential looks like an account password",
            f"{where} holds what looks like an Atlassian account password for {credential.username or 'an unknown user'}; Bitbucket Cloud has refused those for Git since {k.date_of('bitbucket-account-passwords-refused')}.",
            _replace_credential(c, credential),
            remote.name,
        )
    elif credential.kind == "api-token" and credential.username and "@" in credential.username:
        yield Finding(
            "email-username",
            "error",
            "The stored API token is paired with an email address",
            f"{where} pairs an API token with {credential.username}; Git over HTTPS needs the Bitbucket user name or {k.fact('bitbucket-api-token-git-username')} (an email gets 401).",
            _replace_credential(c, credential),
            remote.name,
        )


def _replace_credential(c: Checkup, credential: StoredCredential) -> tuple[Step, ...]:
    """The erase names the credential's own scheme, host and port (an http:// one is not found by protocol=https)."""
    return (
        Step(f"Create an API token with scopes at {c.k.fact('bitbucket-api-token-page')} ({_api_token_scopes(c.k)})."),
        Step("Remove the stored credential:", f"printf '{credential.erase_query}' | git credential reject"),
        Step("Fetch once and give your Bitbucket user name and the token:", "git fetch"),
    )


def check_ssh(c: Checkup) -> Iterator[Finding]:
    pinned = c.setup.ssh.retired_keys.get(ID, ())
    if pinned:
        yield Finding(
            "old-ssh-host-key",
            "error",
            "known_hosts pins Bitbucket's retired RSA host key",
            f"{', '.join(pinned)} holds the RSA key Bitbucket Cloud replaced on {c.k.date_of('bitbucket-rsa-host-key-rotated')}: ssh refuses the connection (REMOTE HOST IDENTIFICATION HAS CHANGED).",
            (
                Step("Remove it:", f"ssh-keygen -R {HOSTNAME}"),
                Step(
                    "Add the current keys (the page lists them as known_hosts lines):",
                    f"curl -fsS {c.k.fact('bitbucket-ssh-host-keys')} >> ~/.ssh/known_hosts",
                ),
            ),
            c.remote.name,
        )


def push_warnings(setup: Setup, url: RemoteURL) -> tuple[str, ...]:
    pinned = setup.ssh.retired_keys.get(ID, ())
    if url.is_ssh and pinned:
        return (f"known_hosts pins Bitbucket's retired RSA host key ({', '.join(pinned)}): ssh-keygen -R {HOSTNAME}",)
    return ()


_REMEDIES: dict[str, Callable[[Context], Remedy | None]] = {
    "app-password-retired": _app_password_retired,
    "account-password-rejected": _account_password_rejected,
    "credentials-rejected": _credentials_rejected,
    "token-scope-insufficient": _token_scope,
    "ssh-host-key": _ssh_host_key,
}


def git_username(kind: str, known: str | None, k: Knowledge) -> str | None:
    """Access tokens take one fixed user name; an API token the Bitbucket user name or the static
    token user name, never the email (bitbucket-facts.md: the email gets 401)."""
    fixed = k.fact("bitbucket-access-token-username")
    if kind == "access-token":
        return fixed
    if known and "@" not in known and known != fixed:
        return known
    return k.fact("bitbucket-api-token-git-username") if kind == "api-token" else None
