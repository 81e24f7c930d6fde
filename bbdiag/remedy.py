"""Diagnosis + facts + date -> what to do: a title, why it is true today, numbered steps.

Steps carry the exact command for this user's remote, workspace and repository and credential
helper when bbdiag knows them (from the output, or from the inspector), and a placeholder in
<angle brackets> when it does not. Advice that depends on a host's policy is chosen by the date
(knowledge/policies.toml), so `--as-of 2023-01-01` gives 2023's advice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from bbdiag import alternatives
from bbdiag.alternatives import Alternative
from bbdiag.causes import CAUSES, HOSTS
from bbdiag.hosts import RemoteURL

if TYPE_CHECKING:  # doctor uses Step and Facts without loading the pattern machinery
    from bbdiag.diagnose import Diagnosis
    from bbdiag.knowledge import Knowledge


class Step(NamedTuple):
    text: str
    command: str | None = None


class Remedy(NamedTuple):
    title: str
    why: str
    steps: tuple[Step, ...]
    docs: tuple[str, ...] = ()
    alternatives: tuple[Alternative, ...] = ()  # other causes the text fits, with the check that decides


class Facts(NamedTuple):
    """What the inspector found about the user's setup; empty outside a repository."""

    remote: str | None = None  # the remote's name
    url: RemoteURL | None = None  # the remote's configured URL (push URL for a push)
    helpers: tuple[str, ...] = ()  # credential helpers in effect for that URL, in order
    username: str | None = None  # credential.<url>.username, the URL's user, or the one git sent
    secret_kind: str | None = None  # what the rejected secret looked like (the observer knows)
    notes: tuple[str, ...] = ()  # facts worth a line under the remedy


GENERIC_TRAILER = (
    "Only git's generic last line is here, not the line before it that says why git could not read from the "
    "remote. The most likely reading: {title}; it can also mean another cause below, and the check below decides."
)


def build(diagnosis: Diagnosis, facts: Facts, knowledge: Knowledge, today: dt.date) -> Remedy:
    context = _Context(diagnosis, facts, knowledge, today)
    found = _REMEDIES[diagnosis.cause](context)
    if diagnosis.primary.pattern.strength == 0:  # git's generic trailer alone
        found = found._replace(why=GENERIC_TRAILER.format(title=found.title[:1].lower() + found.title[1:]))
    return found._replace(alternatives=alternatives.build(diagnosis, facts.url, facts.remote))


class _Context:
    """Everything a remedy may quote, with placeholders where it is not known."""

    def __init__(self, diagnosis: Diagnosis, facts: Facts, knowledge: Knowledge, today: dt.date) -> None:
        self.d, self.facts, self.k, self.today = diagnosis, facts, knowledge, today
        self.host = diagnosis.host
        self.url: RemoteURL | None = facts.url or diagnosis.url
        self.remote = facts.remote or "origin"
        self.hostname = self.url.host if self.url and self.url.host else _DEFAULT_HOSTNAME.get(self.host, "<host>")
        self.host_name = HOSTS[self.host] if self.host not in ("generic", "unknown") else (self.hostname if self.url else "the Git host")

    @property
    def host_name_capitalised(self) -> str:
        """To begin a title with ("The Git host", "Git.example.com")."""
        return self.host_name[:1].upper() + self.host_name[1:]

    @property
    def cloud(self) -> bool:
        return self.host == "bitbucket-cloud"

    @property
    def https_url(self) -> str:
        """The remote as an HTTPS URL without secrets: what to `set-url` back to."""
        if self.url and self.url.scheme in ("https", "http") and self.url.path.strip("/"):
            # git prints the URL with a trailing '/' that the configured one does not have.
            return self.url.display.removesuffix("/") if self.url.path.endswith(".git/") else self.url.display
        slug = self.url.bitbucket_slug() if self.url else None
        if self.cloud:
            workspace, repo = slug or ("<workspace>", "<repository>")
            return f"https://bitbucket.org/{workspace}/{repo}.git"
        if self.url and self.url.host:
            path = self.url.path.lstrip("/")
            return f"https://{self.url.host}/{path}"
        return f"https://{self.hostname}/<owner>/<repository>.git"

    def set_url(self, username: str) -> Step:
        url = self.https_url
        prefix, sep, rest = url.partition("://")
        return Step(
            f"Point {self.remote} at the HTTPS URL with {'that user name' if username.startswith('<') else 'the user name ' + username} "
            "(no password or token in the URL):",
            f"git remote set-url {self.remote} {prefix}{sep}{username}@{rest}",
        )

    def erase(self) -> Step:
        """Remove the stored credential from the helper the user actually has."""
        query = f"printf 'protocol=https\\nhost={self.hostname}\\n\\n'"
        # With one helper its own command is exact; with several, `git credential reject` reaches them all.
        helper = self.facts.helpers[0] if len(set(self.facts.helpers)) == 1 else None
        generic = f"{query} | git credential reject"
        specific = {
            "osxkeychain": f"{query} | git credential-osxkeychain erase",
            "manager": f"{query} | git credential-manager erase",
            "manager-core": f"{query} | git credential-manager erase",
            "wincred": f"cmdkey /delete:git:https://{self.hostname}",
            "libsecret": f"secret-tool clear protocol https server {self.hostname}",
            "cache": "git credential-cache exit",
        }
        if helper is None or helper.startswith("!"):
            return Step(f"Make git forget the credential it has stored for {self.hostname} (every configured helper erases it):", generic)
        name = helper.split()[0].removeprefix("git-credential-").removeprefix("credential-")
        if name == "store":
            return Step(f"Remove the stored credential for {self.hostname} from your plaintext store (the `store` helper):", generic)
        command = specific.get(name, generic)
        return Step(f"Make your credential helper ({name}) forget the credential stored for {self.hostname}:", command)

    def check(self) -> Step:
        if self.url and self.url.is_ssh:
            return Step("Check that it works:", f"ssh -T git@{self.hostname}")
        return Step("Check that it works (git asks for the user name and token once, then the helper stores them):", f"git ls-remote {self.remote}")

    def username(self, kind: str) -> str:
        """The Git user name for a credential kind, from the URL or config when that is right."""
        known = self.facts.username or (self.url.username if self.url else None)
        if known and "@" not in known and known not in ("git", "x-token-auth") and not known.startswith("<"):
            return known
        return f"<your-{kind}-username>"

    def email_username_note(self) -> Step | None:
        known = self.facts.username or (self.url.username if self.url else None)
        if known and "@" in known and self.cloud:
            return Step(
                f"The Git user name is an email address ({known}). Git over HTTPS needs your Bitbucket "
                f"user name (shown at {self.fact('bitbucket-username-page')}), or "
                f"{self.fact('bitbucket-api-token-git-username')} with an API token."
            )
        return None

    def fact(self, fact_id: str) -> str:
        return self.k.fact(fact_id)

    def after(self, policy_id: str) -> bool:
        return self.k.policies[policy_id].starts <= self.today

    def policy_date(self, policy_id: str) -> str:
        return self.k.date_of(policy_id)


_DEFAULT_HOSTNAME = {"bitbucket-cloud": "bitbucket.org", "github": "github.com", "gitlab": "gitlab.com", "azure-devops": "dev.azure.com"}
NOT_CREDENTIALS = "Your credentials are not the problem: changing a password or token will not fix this."
ACCESS_NOT_CREDENTIALS = "Your credential works; what is missing is access for this identity on the host, not a new password or token."


# ------------------------------------------------------------------------------ Bitbucket Cloud credentials
def _bitbucket_new_credential(c: _Context, title: str, why: str) -> Remedy:
    """Replace the refused credential with the one Bitbucket Cloud takes on `c.today`."""
    if c.after("bitbucket-app-passwords-not-issued"):
        create = Step(
            f'Create an API token with scopes at {c.fact("bitbucket-api-token-page")} ("Create API token with scopes", '
            f"app Bitbucket) with the scopes {c.fact('bitbucket-api-token-scopes')} (read alone is enough to clone and fetch)."
        )
        again = Step(
            f"Run the command again and give the API token as the password. The user name is your Bitbucket user name "
            f"(not your email), or {c.fact('bitbucket-api-token-git-username')}.",
        )
    else:
        create = Step(f"Create an app password at {c.fact('bitbucket-app-password-page')} with the permissions Repositories: Read and Write.")
        again = Step("Run the command again and give the app password as the password, with your Bitbucket user name.")
    note = c.email_username_note()
    steps = (create, *([note] if note else []), c.erase(), c.set_url(c.username("bitbucket")), again, c.check())
    return Remedy(title, why, steps, _bitbucket_docs(c))


def _bitbucket_docs(c: _Context) -> tuple[str, ...]:
    if c.after("bitbucket-app-passwords-not-issued"):
        return (c.fact("bitbucket-api-token-docs"),)
    return ("https://support.atlassian.com/bitbucket-cloud/docs/app-passwords/",)


def _app_password_retired(c: _Context) -> Remedy:
    if not c.cloud:  # only Bitbucket Cloud had app passwords of this kind
        return _credentials_rejected(c)
    if c.k.in_force("bitbucket-app-password-brownouts", c.today):
        why = (
            "This was a brownout: between 2026-06-09 and 2026-07-27 Bitbucket Cloud refuses app passwords during announced "
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
    return _bitbucket_new_credential(c, "Bitbucket Cloud no longer accepts app passwords", why)


def _account_password_rejected(c: _Context) -> Remedy:
    if c.cloud:
        why = f"Bitbucket Cloud has refused Atlassian account passwords for Git over HTTPS since {c.policy_date('bitbucket-account-passwords-refused')}."
        if c.after("bitbucket-app-passwords-not-issued"):
            why += (
                " Its message still recommends app passwords, but none can be created since "
                f"{c.policy_date('bitbucket-app-passwords-not-issued')} and they stopped working on "
                f"{c.policy_date('bitbucket-app-passwords-removed')}: use an API token."
            )
        return _bitbucket_new_credential(c, "Bitbucket Cloud does not accept your account password for Git", why)
    if c.host == "github":
        return Remedy(
            "GitHub does not accept account passwords for Git",
            f"GitHub has refused account passwords for Git over HTTPS since {c.policy_date('github-password-auth-removed')}.",
            (
                Step(
                    f"Create a fine-grained personal access token at {c.fact('github-token-page')} with Contents: Read and write on this repository, or let the GitHub CLI set one up:",
                    "gh auth login",
                ),
                c.erase(),
                Step("Run the command again and give the token as the password (the user name is your GitHub login)."),
                c.check(),
            ),
            (c.fact("github-auth-docs"),),
        )
    return _token_instead_of_password(c, f"{c.host_name} does not accept your account password for Git")


def _token_instead_of_password(c: _Context, title: str) -> Remedy:
    docs = {"gitlab": c.fact("gitlab-token-docs"), "azure-devops": c.fact("azure-pat-docs"), "gitea": c.fact("gitea-token-docs")}
    return Remedy(
        title,
        f"{c.host_name} wants a personal access token (or an SSH key) for Git, not the account password; with two-factor authentication a password never works.",
        (
            Step(f"Create a personal access token on {c.host_name} that can read and write repositories."),
            c.erase(),
            Step("Run the command again and give the token as the password."),
            c.check(),
        ),
        tuple(d for host, d in docs.items() if host == c.host),
    )


def _bitbucket_rejected_by_kind(c: _Context) -> Remedy | None:
    """When the rejected secret's kind is known (the credential-helper observer), say exactly what is wrong."""
    kind, user = c.facts.secret_kind, c.facts.username or ""
    token_user = c.fact("bitbucket-api-token-git-username")
    if kind == "api-token" and "@" in user:
        return Remedy(
            "An API token was sent with an email address as the user name",
            f"Bitbucket Cloud's Git over HTTPS takes an API token only with your Bitbucket user name or {token_user}; with the email address ({user}) it answers 401. The token itself may be fine.",
            (c.erase(), c.set_url(c.username("bitbucket")), Step("Run the command again and give the same API token as the password."), c.check()),
            _bitbucket_docs(c),
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
            ("https://support.atlassian.com/bitbucket-cloud/docs/using-access-tokens/",),
        )
    if kind == "api-token":
        return _bitbucket_new_credential(
            c,
            "Bitbucket Cloud rejected the API token",
            'The user name is right, so the token itself was refused: revoked, expired, or created without scopes (only tokens made with "Create API token with scopes" work for Git).',
        )
    return None


def _credentials_rejected(c: _Context) -> Remedy:
    if c.cloud:
        specific = _bitbucket_rejected_by_kind(c)
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
        return _bitbucket_new_credential(c, "Bitbucket Cloud rejected the credential", why)
    if c.host == "bitbucket-dc":
        return _forget_create_retry(
            c,
            "Bitbucket Data Center rejected the credential",
            "The server refused the user name and password or HTTP access token. Repeated failures lock the account behind a CAPTCHA, so fix the stored credential first.",
            Step("Create an HTTP access token in your Bitbucket profile (Manage account > HTTP access tokens) with repository read and write."),
            "Run the command again with your own Bitbucket user name (not the token's name) and the token as the password. "
            "A project or repository token works only as a Bearer header, not as a password.",
            c.fact("bitbucket-dc-access-tokens-docs"),
        )
    if c.host == "github":
        return _forget_create_retry(
            c,
            "GitHub rejected the credential",
            "GitHub refused the token git sent: wrong, expired or revoked, or a password (GitHub takes tokens only).",
            Step(f"Create a new personal access token at {c.fact('github-token-page')}, or let the GitHub CLI store one:", "gh auth login"),
            "Run the command again with your GitHub login as the user name and the token as the password.",
            c.fact("github-auth-docs"),
        )
    if c.host == "gitlab":
        return _forget_create_retry(
            c,
            "GitLab rejected the credential",
            "GitLab refused the password or token: it is wrong, expired or lacks the read_repository/write_repository scope, or it is a password where GitLab needs a token (two-factor authentication).",
            Step(
                f"Create a personal access token with read_repository and write_repository ({c.fact('gitlab-token-docs')}); in GitLab CI use the job token or a project access token."
            ),
            "Run the command again with your GitLab user name and the token as the password.",
            c.fact("gitlab-token-docs"),
        )
    if c.host == "azure-devops":
        return _token_instead_of_password(c, "Azure DevOps rejected the credential")
    if c.host == "codecommit":
        return Remedy(
            "AWS CodeCommit rejected the credential",
            "CodeCommit takes either IAM HTTPS Git credentials or the AWS credential helper / git-remote-codecommit; an expired session or a missing IAM policy also answers like this.",
            (
                c.erase(),
                Step("Use git-remote-codecommit with your AWS profile:", "pip install git-remote-codecommit"),
                Step("Check that your AWS identity works:", "aws sts get-caller-identity"),
            ),
            (c.fact("codecommit-https-docs"),),
        )
    return Remedy(
        f"{c.host_name_capitalised} rejected the credential",
        "The host refused the user name and password or token that git sent: wrong, expired or revoked, or a password where the host needs a token.",
        (c.erase(), Step("Create or look up a valid token for this host and run the command again; give the token as the password."), c.check()),
        (),
    )


def _forget_create_retry(c: _Context, title: str, why: str, create: Step, retry: str, docs: str) -> Remedy:
    """The usual shape for a refused credential: forget the stored one, create a new one, use it."""
    return Remedy(title, why, (c.erase(), create, Step(retry), c.check()), (docs,))


def _token_scope(c: _Context) -> Remedy:
    if c.cloud:
        return Remedy(
            "The Bitbucket token lacks a scope",
            "The token authenticated, but Bitbucket refused the operation (HTTP 403): pushing needs write:repository:bitbucket, "
            "cloning and fetching read:repository:bitbucket. A token's scopes cannot be changed after it is created.",
            (
                Step(
                    f"Create a new API token with scopes at {c.fact('bitbucket-api-token-page')} with {c.fact('bitbucket-api-token-scopes')} "
                    f"(for a repository access token: Repositories Read and Write; its user name is {c.fact('bitbucket-access-token-username')})."
                ),
                c.erase(),
                Step("Run the command again and give the new token as the password."),
                c.check(),
            ),
            (c.fact("bitbucket-api-token-docs"),),
        )
    if c.host == "github":
        return Remedy(
            "The GitHub token lacks a permission",
            "The token authenticated, but it may not do this: a fine-grained token needs Contents: Read and write (and Workflows to change .github/workflows), "
            "and an organisation may forbid classic tokens.",
            (
                Step(f"Create a fine-grained token at {c.fact('github-token-page')} for this repository with the permissions the push needs."),
                c.erase(),
                Step("Run the command again with the new token."),
            ),
            (c.fact("github-auth-docs"),),
        )
    return Remedy(
        "The token lacks a permission",
        "The token authenticated, but lacks a scope the operation needs (writing, or workflow files).",
        (Step("Create a token with write access to repositories."), c.erase(), Step("Run the command again with the new token.")),
    )


def _credentials_missing(c: _Context) -> Remedy:
    steps = [
        Step(
            "Git had no credential and could not ask for one (no terminal: CI, an IDE, a cron job, or GIT_TERMINAL_PROMPT=0). "
            "Give it a credential helper, or run the command once in a terminal so the helper stores one."
        )
    ]
    if c.cloud:
        steps.append(
            Step(
                f"In CI, keep a Bitbucket token in a secured variable and hand it to git without writing it into the URL "
                f"(user name {c.fact('bitbucket-access-token-username')} for an access token, your Bitbucket user name for an API token):",
                f"git -c credential.helper='!f() {{ echo username=x-token-auth; echo \"password=$BITBUCKET_TOKEN\"; }}; f' fetch {c.remote}",
            )
        )
    elif c.host == "github":
        steps.append(
            Step(
                "In GitHub Actions, check out with a token that can reach this repository (actions/checkout `token:`), or log in once on a workstation:",
                "gh auth login",
            )
        )
    elif c.host == "azure-devops":
        steps.append(
            Step("In Azure Pipelines, allow scripts to use the OAuth token (persistCredentials: true on the checkout step) or pass a PAT as an extra header.")
        )
    steps.append(Step("On a workstation, set up a credential helper once:", "git config --global credential.helper manager"))
    steps.append(c.check())
    return Remedy("Git needed a credential and could not ask for one", "Git asked for a user name or password where nobody could answer.", tuple(steps))


def _account_locked(c: _Context) -> Remedy:
    if c.host == "bitbucket-dc":
        return Remedy(
            "Your Bitbucket account is locked behind a CAPTCHA",
            "Too many failed logins locked the account: even the right password fails until the CAPTCHA is solved.",
            (
                Step("Log out of Bitbucket in a browser, log in again and solve the CAPTCHA (or ask an administrator to clear it)."),
                Step("Then fix the credential that kept failing, or it locks the account again:"),
                c.erase(),
                c.check(),
            ),
            (c.fact("bitbucket-dc-captcha-docs"),),
        )
    return Remedy(
        f"Your account on {c.host_name} is locked, blocked or expired",
        "The host refuses this account whatever the credential; only its administrators can lift that.",
        (Step(f"Contact the administrators of {c.host_name} (or its support) to unlock the account, then run the command again."),),
    )


def _sso(c: _Context) -> Remedy:
    return Remedy(
        "The token is not authorised for the organisation's SAML SSO",
        "The organisation enforces SAML single sign-on; each token, SSH key or OAuth app must be authorised for it once.",
        (
            Step(
                f"Open {c.fact('github-token-page')} (or https://github.com/settings/keys for an SSH key), choose Configure SSO next to the token and authorise the organisation."
            ),
            Step("For the GitHub CLI, refresh its authorisation:", "gh auth refresh"),
            c.check(),
        ),
        ("https://docs.github.com/en/enterprise-cloud@latest/authentication/authenticating-with-saml-single-sign-on",),
    )


def _proxy(c: _Context) -> Remedy:
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


def _helper_failed(c: _Context) -> Remedy:
    helper = c.d.primary.captures.get("helper")
    steps = []
    if c.host == "codecommit":
        steps.append(Step("Install the remote helper that signs requests to CodeCommit with your AWS credentials:", "pip install git-remote-codecommit"))
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


def _ssh_key(c: _Context) -> Remedy:
    keys_page = {"bitbucket-cloud": c.fact("bitbucket-ssh-keys-page"), "github": c.fact("github-ssh-keys-page")}.get(
        c.host, f"your account's SSH keys page on {c.host_name}"
    )
    return Remedy(
        "No SSH key the host accepts was offered",
        "Over SSH the host authenticates by key: none of the keys ssh offered is registered to an account with access "
        "(no key, a key not added to the account, an agent that is not running, a key file ssh cannot read, or an old RSA/SHA-1 key).",
        (
            Step("See which key ssh offers and what the host answers:", f"ssh -vT git@{c.hostname}"),
            Step("If you have no key yet, create one:", 'ssh-keygen -t ed25519 -C "<you@example.com>"'),
            Step("Load it into the agent:", "ssh-add ~/.ssh/id_ed25519"),
            Step(f"Add the public key (~/.ssh/id_ed25519.pub) at {keys_page}. A repository access/deploy key is read-only: pushing needs a personal key."),
            Step("Check that it works:", f"ssh -T git@{c.hostname}"),
        ),
    )


def _ssh_host_key(c: _Context) -> Remedy:
    changed = any(h.pattern.id == "ssh-host-key-changed" for h in c.d.evidence)
    if changed and c.cloud:
        return Remedy(
            "Bitbucket's SSH host key changed since it was pinned",
            f"Bitbucket Cloud rotated its RSA host key in June 2023 ({c.policy_date('bitbucket-rsa-host-key-rotated')}); a known_hosts entry with the old key now fails. {NOT_CREDENTIALS}",
            (
                Step("Remove the old key:", "ssh-keygen -R bitbucket.org"),
                Step(
                    "Add Bitbucket's current keys (check the RSA fingerprint is " + c.fact("bitbucket-rsa-fingerprint") + "):",
                    f"curl -fsS {c.fact('bitbucket-ssh-host-keys')} >> ~/.ssh/known_hosts",
                ),
                Step("Check which host key you now trust (Bitbucket prints its fingerprints):", "ssh git@bitbucket.org host_key_info"),
            ),
            ("https://bitbucket.org/blog/ssh-host-key-changes",),
        )
    if changed and c.host == "github":
        return Remedy(
            "GitHub's SSH host key changed since it was pinned",
            f"GitHub rotated its RSA host key on {c.policy_date('github-rsa-host-key-rotated')}; a known_hosts entry with the old key now fails. {NOT_CREDENTIALS}",
            (
                Step("Remove the old key:", "ssh-keygen -R github.com"),
                Step(
                    "Add GitHub's current keys (the RSA fingerprint is " + c.fact("github-rsa-fingerprint") + "):",
                    "ssh-keyscan github.com >> ~/.ssh/known_hosts",
                ),
                Step("Check that it works:", "ssh -T git@github.com"),
            ),
            ("https://github.blog/2023-03-23-we-updated-our-rsa-ssh-host-key/",),
        )
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


def _tls(c: _Context) -> Remedy:
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


def _network(c: _Context) -> Remedy:
    return _not_credentials(
        f"{c.host_name_capitalised} could not be reached, or the transfer broke",
        "The failure is in the path to the host: name resolution, a refused or timed-out connection, a proxy, or a transfer cut short.",
        [
            Step("Check name resolution and the connection:", f"git ls-remote {c.https_url if not (c.url and c.url.is_ssh) else c.remote}"),
            Step("Check the proxy settings git uses:", "git config --show-origin --get-regexp '^https?\\.proxy'"),
            *_ssh_over_443(c),
        ],
    )


def _ssh_over_443(c: _Context) -> list[Step]:
    alternative = {"bitbucket-cloud": "altssh.bitbucket.org", "github": "ssh.github.com"}.get(c.host)
    if not alternative or not (c.url and c.url.is_ssh):
        return []
    return [Step(f"On a network that blocks SSH's port 22, {c.host_name} also answers SSH on port 443:", f"ssh -T -p 443 git@{alternative}")]


def _remote_misconfigured(c: _Context) -> Remedy:
    steps = [
        Step("See the remotes as configured:", "git remote -v"),
        Step(
            "Set the clone URL the host shows on the repository page (HTTPS, or SSH as git@host:owner/repo.git):", f"git remote set-url {c.remote} <clone-url>"
        ),
    ]
    if c.d.primary.pattern.id in ("curl-url-malformed", "curl-could-not-resolve-host"):
        steps.insert(
            1,
            Step(
                "A password or token pasted into the URL breaks it when it holds '/', '@' or ':'"
                + (" (Bitbucket Data Center's HTTP access tokens often hold '/')" if c.host == "bitbucket-dc" else "")
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


def _permission_denied(c: _Context) -> Remedy:
    steps = [
        Step(
            "Check which account git authenticates as (a different account than you think is common):",
            f"ssh -T git@{c.hostname}" if c.url and c.url.is_ssh else f"git credential fill <<< $'protocol=https\\nhost={c.hostname}\\n' | grep username",
        )
    ]
    who = c.d.primary.captures.get("who", "")
    if "github-actions" in who:
        steps.insert(
            0,
            Step("Give the workflow's token write access: add `permissions: contents: write` to the job (and allow it in the repository's Actions settings)."),
        )
    elif "deploy key" in who or c.d.primary.pattern.id in ("bitbucket-deploy-key-read-only", "read-only-key", "github-write-access-not-granted"):
        steps.insert(
            0,
            Step(
                "A deploy/access key is read-only unless write access was granted when it was added: use a key of a user with write access, or allow write access for the key."
            ),
        )
    elif c.host == "azure-devops":
        steps.insert(
            0, Step("Grant the identity named in the message the Contribute permission on the repository (Project settings > Repositories > Security).")
        )
    steps.append(Step(f"Ask an administrator of the repository on {c.host_name} for write access for that account."))
    return _access("This identity may not do this to the repository", "The host knows who you are and refused the operation for that identity.", steps)


def _repository_not_found(c: _Context) -> Remedy:
    return _access(
        "The repository does not exist at that URL, or is hidden from you",
        "Hosts answer 'not found' for a private repository the account cannot see, as for one that does not exist.",
        [
            Step("Check the URL for typos, the owner/workspace and the repository name:", "git remote -v"),
            Step(
                "If the repository is private, check that git authenticates as an account that can see it (a stored credential of another account is common)."
            ),
            Step(f"Ask for access on {c.host_name}, or set the right URL:", f"git remote set-url {c.remote} <clone-url>"),
        ],
    )


def _branch_protected(c: _Context) -> Remedy:
    docs = (c.fact("bitbucket-branch-permissions-docs"),) if c.cloud else ()
    return _not_credentials(
        "A branch rule refused the update",
        "The branch is protected: changes must come through a pull request, pass required checks, or may not be forced.",
        [
            Step("Push to a new branch instead:", f"git push {c.remote} HEAD:refs/heads/<new-branch>"),
            Step("Open a pull request from it into the protected branch."),
        ],
        docs,
    )


def _policy(c: _Context) -> Remedy:
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


def _non_fast_forward(c: _Context) -> Remedy:
    return _not_credentials(
        "The remote has commits you do not have",
        "Someone pushed to the branch since you last fetched.",
        [Step("Bring their commits in, then push:", "git pull --rebase"), Step("Push again:", f"git push {c.remote}")],
    )


def _size_limit(c: _Context) -> Remedy:
    if any(h.pattern.id.startswith("http-413") for h in c.d.evidence):
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
    docs = (c.fact("bitbucket-size-docs"),) if c.cloud else ()
    return _not_credentials(
        "A size or quota limit refused the push", "The repository, a file in it, or the account's storage is over the host's limit.", steps, docs
    )


_REMEDIES: dict[str, Callable[[_Context], Remedy]] = {
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
