"""Azure DevOps (dev.azure.com, *.visualstudio.com, TFS): personal access tokens, TF4xxxxx codes."""

from __future__ import annotations

from bbdiag.advice import Remedy, Step
from bbdiag.hosts import base
from bbdiag.hosts.base import TokenShape

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bbdiag.remedy import Context

ID = "azure-devops"
NAME = "Azure DevOps"
HOSTNAME = "dev.azure.com"
SELF_HOSTED_TOO = True  # Azure DevOps Server, on a company's own server
PRODUCT_WORDS = ("azure", "vsts", "tfs")  # Visual Studio Team Services and Team Foundation Server: its former names
FILE_SIZE_LIMIT = None
FILE_SIZE_WARNING = None
RETIRED_HOST_KEYS: tuple[str, ...] = ()
SSH_HOST_KEY_FACTS: tuple[tuple[str, str], ...] = ()
SSH_USERS: tuple[str, ...] = ()
SSH_USER = None
URL_SCHEMES: tuple[str, ...] = ()
DOC_HOSTS = ("aka.ms",)  # Microsoft's link shortener
TOKEN_SHAPES: tuple[TokenShape, ...] = ()  # personal access tokens have no prefix: the generic opaque shape covers them
_OWN_HOSTS = ("dev.azure.com", "ssh.dev.azure.com")


def owns(hostname: str, scheme: str) -> bool:
    return hostname in _OWN_HOSTS or hostname.endswith((".visualstudio.com", ".azure.com"))


def signs(path: str, port: int | None) -> bool:
    """A `_git` segment: Azure DevOps Services and Server (TFS) put it before the repository name,
    `https://{server}/{collection}/{project}/_git/{repository}` (Microsoft Learn, "Clone an
    existing Git repo", learn.microsoft.com/azure/devops/repos/git/clone), so an on-premises
    server with any host name is known by its path."""
    return "/_git/" in path


text = base.no_text


def docs(cause: str, c: Context) -> tuple[str, ...]:
    if cause == "account-password-rejected":
        return (c.fact("azure-pat-docs"),)
    return ()


def steps(cause: str, c: Context) -> tuple[Step, ...]:
    if cause == "credentials-missing":
        return (
            Step("In Azure Pipelines, allow scripts to use the OAuth token (persistCredentials: true on the checkout step) or pass a PAT as an extra header."),
        )
    if cause == "permission-denied":
        return (
            Step(
                f"Grant the identity named in the message the {c.fact('azure-push-permission')} permission on the repository "
                f"({c.fact('azure-repository-permissions-page')})."
            ),
        )
    return ()


def remedy(cause: str, c: Context) -> Remedy | None:
    if cause == "credentials-rejected":
        return c.token_instead_of_password("Azure DevOps rejected the credential", (c.fact("azure-pat-docs"),))
    return None


check_https = base.no_checks
check_stored = base.no_stored_checks
check_ssh = base.no_checks
push_warnings = base.no_push_warnings

git_username = base.any_username
