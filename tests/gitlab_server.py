"""A stand-in that answers git like GitLab over HTTPS, for tests/bitbucket_server.serve().

The texts are GitLab's own (gitlab-org/gitlab): the 401 body of
app/controllers/repositories/git_http_client_controller.rb `render_access_denied` (sent with the
challenge whenever no credential or a wrong one is given), and the 403 bodies of
lib/gitlab/git_access.rb ERROR_MESSAGES (`auth_upload` when the token's scopes do not allow a
push, `push_code` when the account's role does not). A personal access token is taken with any
non-empty user name.

- no credential, a wrong password or token -> 401, "HTTP Basic: Access denied. ..."
- a token with read_repository only, pushing -> 403, "You are not allowed to upload code."
- a Reporter's token, pushing              -> 403, "You are not allowed to push code to this project."
- a token with write_repository            -> served by git http-backend
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.bitbucket_server import Answer, Request

USER = "jane.gl"
PASSWORD = "gitlab-account-password-2fa"
TOKEN = "glpat-" + "Wr1teR3po7kQm2Xw9Lz4"  # read_repository, write_repository
READ_TOKEN = "glpat-" + "R3adOnly5Pv8Tn3Yc6Hb"  # read_repository
REPORTER_TOKEN = "glpat-" + "Rep0rt3r1Jd5Gf0Sa2Ke"  # an account with the Reporter role

ACCESS_DENIED = (
    "HTTP Basic: Access denied. If a password was provided for Git authentication, the password was incorrect "
    "or you're required to use a token instead of a password. If a token was provided, it was either incorrect, "
    "expired, or improperly scoped. See https://gitlab.com/help/topics/git/troubleshooting_git.md#error-on-git-fetch-http-basic-access-denied\n"
)


@dataclass
class GitLab:
    host: str = "gitlab.com"

    def answer(self, request: Request) -> Answer | None:
        if request.password not in (TOKEN, READ_TOKEN, REPORTER_TOKEN) or not request.user:
            return Answer(401, ACCESS_DENIED, realm="GitLab")
        if request.pushing and request.password == READ_TOKEN:
            return Answer(403, "You are not allowed to upload code.\n")
        if request.pushing and request.password == REPORTER_TOKEN:
            return Answer(403, "You are not allowed to push code to this project.\n")
        return None

    def repository(self, path: str) -> str:
        return path
