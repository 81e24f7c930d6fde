"""AWS CodeCommit: IAM HTTPS Git credentials or git-remote-codecommit (`codecommit::` URLs)."""

from __future__ import annotations

from bbdiag.advice import Remedy, Step
from bbdiag.hosts import base
from bbdiag.hosts.base import TokenShape

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bbdiag.remedy import Context

ID = "codecommit"
NAME = "AWS CodeCommit"
HOSTNAME = None  # one host name per region (git-codecommit.<region>.amazonaws.com): the URL says which
SELF_HOSTED_TOO = False
PRODUCT_WORDS: tuple[str, ...] = ()
FILE_SIZE_LIMIT = None
FILE_SIZE_WARNING = None
RETIRED_HOST_KEYS: tuple[str, ...] = ()
SSH_HOST_KEY_FACTS: tuple[tuple[str, str], ...] = ()
SSH_USERS: tuple[str, ...] = ()
SSH_USER = None
URL_SCHEMES = (r"codecommit(?:::[a-z0-9-]+)?",)  # git-remote-codecommit: codecommit://[profile@]repo, codecommit::region://...
DOC_HOSTS: tuple[str, ...] = ()
TOKEN_SHAPES = (
    # AWS access key ids: AKIA (long-term) or ASIA (temporary) and exactly 16 upper-case letters and
    # digits (https://docs.aws.amazon.com/IAM/latest/UserGuide/security-creds.html#access-keys-and-secret-access-keys).
    TokenShape("(?:AKIA|ASIA)", "[0-9A-Z]", 16, "aws-access-key", "an AWS access key id", max_length=16),
)


def owns(hostname: str, scheme: str) -> bool:
    return hostname.startswith("git-codecommit.") or scheme == "codecommit"


signs = base.no_signs
docs = base.no_docs
text = base.no_text


def steps(cause: str, c: Context) -> tuple[Step, ...]:
    if cause == "credential-helper-failed":
        return (Step("Install the remote helper that signs requests to CodeCommit with your AWS credentials:", "pip install git-remote-codecommit"),)
    return ()


def remedy(cause: str, c: Context) -> Remedy | None:
    if cause != "credentials-rejected":
        return None
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


check_https = base.no_checks
check_stored = base.no_stored_checks
check_ssh = base.no_checks
push_warnings = base.no_push_warnings

git_username = base.any_username
