"""A stand-in that answers git like GitHub over HTTPS, for tests/bitbucket_server.serve().

The texts are GitHub's as its documentation and real transcripts show them (the references of
bbdiag/patterns/github-*.toml): https://docs.github.com/en/get-started/getting-started-with-git/about-remote-repositories#cloning-with-https-urls,
https://github.blog/2020-12-15-token-authentication-requirements-for-git-operations/.
GitHub takes a token with any user name (the token names the account).

- no credential                      -> 401, realm "GitHub"
- the account password               -> 401, "Support for password authentication was removed..."
                                        (the 2021-2023 wording)
- an unknown token                   -> 401, "Invalid username or token. Password authentication
                                        is not supported for Git operations."
- a fine-grained token with Contents: read, pushing
                                     -> 403, "Write access to repository not granted."
- the token of an account without write access, pushing
                                     -> 403, "Permission to OWNER/REPO.git denied to OTHER_USER."
- a token with write access          -> served by git http-backend
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.bitbucket_server import Answer, Request

USER = "octo-jane"
PASSWORD = "hunter2-github-account"
TOKEN = "ghp_" + "R7kQm2Xw9Lz4Pv8Tn3Yc6Hb1Jd5Gf0Sa2Ke7"  # classic, repo scope
READ_TOKEN = "github_pat_" + "11ABCDEFG0" + "Rd7OnLy3Cont3ntsR3ad9Xw2Lz4Pv8Tn3Yc6Hb1Jd5Gf0Sa2Ke7Mq4Nw6Bz"  # Contents: read
OTHER_USER = "octo-visitor"
OTHER_TOKEN = "ghp_" + "V1s1t0rNoWr1teAcc3ss9Lz4Pv8Tn3Yc6Hb"  # an account that may read, not push

PASSWORD_REMOVED = (
    "Support for password authentication was removed on August 13, 2021.\n"
    "Please see https://docs.github.com/get-started/getting-started-with-git/about-remote-repositories#cloning-with-https-urls "
    "for information on currently recommended modes of authentication.\n"
)
INVALID = "Invalid username or token. Password authentication is not supported for Git operations.\n"
WRITE_NOT_GRANTED = "Write access to repository not granted.\n"


@dataclass
class GitHub:
    host: str = "github.com"

    def answer(self, request: Request) -> Answer | None:
        if request.password is None or not request.user:
            return Answer(401, realm="GitHub")
        if request.password == PASSWORD:
            return Answer(401, PASSWORD_REMOVED, realm="GitHub")
        if request.password not in (TOKEN, READ_TOKEN, OTHER_TOKEN):
            return Answer(401, INVALID, realm="GitHub")
        if request.pushing and request.password == READ_TOKEN:
            return Answer(403, WRITE_NOT_GRANTED)
        if request.pushing and request.password == OTHER_TOKEN:
            repository = "/".join(request.path.strip("/").split("/")[:2])
            return Answer(403, f"Permission to {repository} denied to {OTHER_USER}.\n")
        return None

    def repository(self, path: str) -> str:
        return path
