"""A loopback HTTP server that answers git like Bitbucket Cloud and Bitbucket Data Center
(../shared/spec/bitbucket-facts.md), and, with the stand-ins of tests/github_server.py and
tests/gitlab_server.py, like GitHub and GitLab.

git talks to it as a proxy (`-c http.proxy=http://127.0.0.1:PORT` with an `http://HOST/...` URL),
so git sends the real host name (and port) and no DNS is needed; the server listens on 127.0.0.1
only. Each host it plays is a `StandIn`: it reads the credential git sent and either answers as
that host does (text/plain bodies git prints as `remote:` lines, or a git ERR packet git prints
as `fatal: remote error:`) or lets `git http-backend` serve a real repository.

Bitbucket Cloud (`http://bitbucket.org/WS/REPO.git`):
- no credential                      -> 401 (git asks, or fails with "could not read Username")
- a plain password                   -> 401, "stopped supporting account passwords"
- an app password (ATBB...)          -> 410, CHANGE-3222
- an API token with an email user    -> 401, "You may not have access to this repository..."
- an unknown token                   -> 401, "Invalid credentials"
- a read-only token, pushing         -> 403, "lack one or more required privilege scopes"
- the right user and token           -> 200, served by git http-backend

Bitbucket Data Center (`http://bitbucket.example.com:7990/scm/PROJ/REPO.git`, its default port and
/scm/ paths):
- no credential                      -> 401, realm "Atlassian Bitbucket", no body
- a wrong password or token          -> 401 (git: "Authentication failed"); the third failure in a
                                        row locks the account: from then on every request gets the
                                        ERR packet "CAPTCHA required" until `unlock()` (the user
                                        solving the CAPTCHA in a browser)
- a repository that does not exist   -> ERR "Repository not found"
- the user's own name and password or HTTP access token -> served by git http-backend
"""

from __future__ import annotations

import base64
import gzip
import os
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple, Protocol
from urllib.parse import urlsplit

USER = "jane-doe"
EMAIL = "jane@example.com"
API_TOKEN = "ATATT3xFfGF0" + "Lr8Qw2Zt5Yx7Mb9Vc3Nd6Hg1Jk4Ps0Ew"  # read and write scopes
READ_ONLY_TOKEN = "ATATT3xFfGF0" + "Re4Ad0Nl7Yx2Sc9Op3Es6Hg1Jk8Ps5Ew"  # read scope only
APP_PASSWORD = "ATBB" + "aP7pPw2Xr9Kd4Lm8Qz3Vn6Tc1Yh5Jg0Fs"
ACCOUNT_PASSWORD = "correct horse battery staple"

DC_HOST = "bitbucket.example.com:7990"
DC_USER = "jdoe"
DC_PASSWORD = "Tr0ub4dor&3-dc"
# Data Center's HTTP access tokens are 44 characters of base64 and may hold '/' (bitbucket-facts.md).
DC_TOKEN = "BBDC-" + "NzQ4MjA1/ODk3NjEyOkx2YmN4c2RmZ2hqa2w7"
DC_LOCK_AFTER = 3  # failed logins in a row before the CAPTCHA (an administrator's setting)

BODIES = {
    "password": (
        401,
        "Bitbucket Cloud recently stopped supporting account passwords for Git authentication.\n"
        "See our community post for more details: https://atlassian.community/t5/x/x/ba-p/1948231\n"
        "App passwords are recommended for most use cases and can be created in your Personal settings:\n"
        "https://bitbucket.org/account/settings/app-passwords/\n",
    ),
    "app-password": (
        410,
        "CHANGE-3222 - Functionality has been deprecated\n"
        "App passwords are deprecated and must be replaced with API tokens.\n"
        "https://developer.atlassian.com/cloud/bitbucket/changelog#CHANGE-3222\n",
    ),
    "email": (
        401,
        "You may not have access to this repository or it no longer exists in this workspace. "
        "If you think this repository exists and you have access, make sure you are authenticated.\n",
    ),
    "invalid": (401, "Invalid credentials\n"),
    "scopes": (403, "Your credentials lack one or more required privilege scopes.\n"),
}
# git ERR packets of Data Center (bitbucket-facts.md; tests/fixtures/corpus/cases/p008.txt).
DC_CAPTCHA = (
    "CAPTCHA required\n"
    "Your Bitbucket account has been locked. To unlock it and log in again you must\n"
    "solve a CAPTCHA. This is typically caused by too many attempts to login with an\n"
    "incorrect password. The account lock prevents your SCM client from accessing\n"
    "Bitbucket and its mirrors until it is solved, even if you enter your password\n"
    "correctly.\n\n"
    "If you are currently logged in to Bitbucket via a browser you may need to\n"
    "logout and then log back in in order to solve the CAPTCHA."
)
DC_NOT_FOUND = "Repository not found\nThe requested repository does not exist, or you do not have permission to\naccess it."


class Request(NamedTuple):
    path: str  # the URL's path as git sent it
    user: str | None
    password: str | None  # None: git sent no credential
    pushing: bool


class Answer(NamedTuple):
    """What a host says instead of serving the repository."""

    status: int
    text: str = ""  # a text/plain body: git prints it as `remote:` lines
    realm: str | None = None  # the WWW-Authenticate realm (git asks for a credential on 401)
    error: str | None = None  # a git ERR packet: git prints `fatal: remote error: <error>`


class StandIn(Protocol):
    """One host the server plays."""

    host: str  # the host (and :port) git names in the URL

    def answer(self, request: Request) -> Answer | None:
        """The host's answer, or None to serve the repository."""
        ...

    def repository(self, path: str) -> str:
        """The path under the server's root that `path` names (git http-backend's PATH_INFO)."""
        ...


class BitbucketCloud:
    host = "bitbucket.org"

    def answer(self, request: Request) -> Answer | None:
        verdict = _cloud_verdict(request.user, request.password, request.pushing)
        if verdict == "ok":
            return None
        if verdict == "none":
            return Answer(401, realm="Bitbucket.org HTTP")
        status, text = BODIES[verdict]
        return Answer(status, text, realm="Bitbucket.org HTTP" if status == 401 else None)

    def repository(self, path: str) -> str:
        return path


def _cloud_verdict(user: str | None, password: str | None, pushing: bool) -> str:
    if password is None:
        return "none"
    if password.startswith("ATBB"):
        return "app-password"
    if password in (API_TOKEN, READ_ONLY_TOKEN):
        if user and "@" in user:
            return "email"
        if user not in (USER, "x-bitbucket-api-token-auth"):
            return "invalid"
        if pushing and password == READ_ONLY_TOKEN:
            return "scopes"
        return "ok"
    if password == ACCOUNT_PASSWORD:
        return "password"
    return "invalid"


@dataclass
class BitbucketDataCenter:
    root: Path  # to tell a missing repository from a present one
    host: str = DC_HOST
    failures: int = 0  # failed logins in a row
    locked: bool = False

    def answer(self, request: Request) -> Answer | None:
        if self.locked:
            return Answer(200, error=DC_CAPTCHA)
        if request.password is None:
            return Answer(401, realm="Atlassian Bitbucket")
        if request.user != DC_USER or request.password not in (DC_PASSWORD, DC_TOKEN):
            self.failures += 1
            self.locked = self.failures >= DC_LOCK_AFTER
            return Answer(401, realm="Atlassian Bitbucket")
        self.failures = 0
        repository = self.repository(request.path).split(".git/")[0] + ".git"
        if not (self.root / repository.lstrip("/")).is_dir():
            return Answer(200, error=DC_NOT_FOUND)
        return None

    def unlock(self) -> None:
        """What solving the CAPTCHA in a browser does."""
        self.locked, self.failures = False, 0

    def repository(self, path: str) -> str:
        return path.removeprefix("/scm")


@dataclass
class Server:
    root: Path  # GIT_PROJECT_ROOT: repositories live at root/WS/REPO.git
    stand_ins: Mapping[str, StandIn]
    port: int = 0
    requests: list[str] = field(default_factory=list)

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def git_args(self) -> list[str]:
        """`git` options that route the hosts it plays to this server."""
        return ["-c", f"http.proxy={self.proxy}", "-c", "http.proxyAuthMethod=basic"]


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        body = self._body() if self.command == "POST" else b""
        state = self.server.state
        state.requests.append(f"{self.command} {parts.netloc}{parts.path}?{parts.query}")
        stand_in = state.stand_ins.get(parts.netloc)
        if stand_in is None:
            self._send(502, "text/plain", f"this test server does not play {parts.netloc}\n".encode())
            return
        user, password = None, None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode("utf-8", "replace").partition(":")
        pushing = "git-receive-pack" in parts.path or "service=git-receive-pack" in parts.query
        answer = stand_in.answer(Request(parts.path, user, password, pushing))
        if answer is None:
            self._backend(stand_in.repository(parts.path), parts.query, body, user or "")
        elif answer.error is not None:
            service = "git-receive-pack" if pushing else "git-upload-pack"
            line = f"ERR {answer.error}\n".encode()
            self._send(200, f"application/x-{service}-advertisement", b"%04x" % (len(line) + 4) + line)
        else:
            extra = {"WWW-Authenticate": f'Basic realm="{answer.realm}"'} if answer.realm else {}
            self._send(answer.status, "text/plain; charset=utf-8", answer.text.encode(), extra)

    def _backend(self, path: str, query: str, body: bytes, user: str) -> None:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.server.state.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "REMOTE_USER": user,
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(self.server.state.root),
        }
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        env["CONTENT_LENGTH"] = str(len(body))
        done = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, timeout=60)
        head, _, payload = done.stdout.partition(b"\r\n\r\n")
        status, headers = 200, {}
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers[name] = value.strip()
        content_type = headers.pop("Content-Type", "application/octet-stream")
        self._send(status, content_type, payload, headers)

    def _send(self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class _HTTPServer(ThreadingHTTPServer):
    state: Server
    daemon_threads = True


@contextmanager
def serve(root: Path, *stand_ins: StandIn) -> Iterator[Server]:
    """Play `stand_ins` (default: Bitbucket Cloud and Data Center) on 127.0.0.1 for repositories under `root`."""
    played = stand_ins or (BitbucketCloud(), BitbucketDataCenter(root))
    state = Server(root, {s.host: s for s in played})
    httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
    httpd.state = state
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def make_repository(root: Path, workspace: str = "acme", name: str = "widgets") -> Path:
    """A bare repository with one commit at root/WS/REPO.git, pushable over http-backend."""
    bare = root / workspace / f"{name}.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    subprocess.run(["git", "-C", str(bare), "config", "http.receivepack", "true"], check=True)
    seed = root / f".seed-{workspace}-{name}"
    subprocess.run(["git", "init", "-q", "-b", "main", str(seed)], check=True)
    (seed / "README.md").write_text("hello\n")
    subprocess.run(["git", "-C", str(seed), "add", "."], check=True)
    subprocess.run(["git", "-C", str(seed), "commit", "-q", "-m", "first"], check=True)
    subprocess.run(["git", "-C", str(seed), "push", "-q", str(bare), "main"], check=True)
    return bare
