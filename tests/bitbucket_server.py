"""A loopback HTTP server that answers git like Bitbucket Cloud (../shared/spec/bitbucket-facts.md).

git talks to it as a proxy (`-c http.proxy=http://127.0.0.1:PORT` with an
`http://bitbucket.org/WS/REPO.git` URL), so git sends the real host name and no DNS is needed.
With the right credential it serves real repositories through `git http-backend`; otherwise it
answers exactly as Bitbucket does, with text/plain bodies that git prints as `remote:` lines:

- no credential                      -> 401 (git asks, or fails with "could not read Username")
- a plain password                   -> 401, "stopped supporting account passwords"
- an app password (ATBB...)          -> 410, CHANGE-3222
- an API token with an email user    -> 401, "You may not have access to this repository..."
- an unknown token                   -> 401, "Invalid credentials"
- a read-only token, pushing         -> 403, "lack one or more required privilege scopes"
- the right user and token           -> 200, served by git http-backend
"""

from __future__ import annotations

import base64
import gzip
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

USER = "jane-doe"
EMAIL = "jane@example.com"
API_TOKEN = "ATATT3xFfGF0" + "Lr8Qw2Zt5Yx7Mb9Vc3Nd6Hg1Jk4Ps0Ew"  # read and write scopes
READ_ONLY_TOKEN = "ATATT3xFfGF0" + "Re4Ad0Nl7Yx2Sc9Op3Es6Hg1Jk8Ps5Ew"  # read scope only
APP_PASSWORD = "ATBB" + "aP7pPw2Xr9Kd4Lm8Qz3Vn6Tc1Yh5Jg0Fs"
ACCOUNT_PASSWORD = "correct horse battery staple"

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


@dataclass
class Server:
    root: Path  # GIT_PROJECT_ROOT: repositories live at root/WS/REPO.git
    port: int = 0
    requests: list[str] = field(default_factory=list)

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def git_args(self) -> list[str]:
        """`git` options that route bitbucket.org to this server."""
        return ["-c", f"http.proxy={self.proxy}", "-c", "http.proxyAuthMethod=basic"]


def _verdict(user: str | None, password: str | None, pushing: bool) -> str:
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
        self.server.state.requests.append(f"{self.command} {parts.path}?{parts.query}")
        if parts.hostname not in ("bitbucket.org", None):
            self._send(502, "text/plain", b"this test server only plays bitbucket.org\n")
            return
        user, password = None, None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode("utf-8", "replace").partition(":")
        pushing = "git-receive-pack" in parts.path or "service=git-receive-pack" in parts.query
        verdict = _verdict(user, password, pushing)
        if verdict == "none":
            self._send(401, "text/plain", b"", {"WWW-Authenticate": 'Basic realm="Bitbucket.org HTTP"'})
        elif verdict != "ok":
            status, text = BODIES[verdict]
            extra = {"WWW-Authenticate": 'Basic realm="Bitbucket.org HTTP"'} if status == 401 else {}
            self._send(status, "text/plain; charset=utf-8", text.encode(), extra)
        else:
            self._backend(parts.path, parts.query, body, user or "")

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
def serve(root: Path) -> Iterator[Server]:
    state = Server(root)
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
    seed = root / f".seed-{name}"
    subprocess.run(["git", "init", "-q", "-b", "main", str(seed)], check=True)
    (seed / "README.md").write_text("hello\n")
    subprocess.run(["git", "-C", str(seed), "add", "."], check=True)
    subprocess.run(["git", "-C", str(seed), "commit", "-q", "-m", "first"], check=True)
    subprocess.run(["git", "-C", str(seed), "push", "-q", str(bare), "main"], check=True)
    return bare
