"""Bitbucket Code Insights: annotations in requests of at most 100 and reports of at most 1,000, and
the README's Bitbucket Pipelines recipe posting them that way (through a loopback stand-in for the
pipeline's proxy)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from bbdiag import knowledge
from tests.conftest import bbdiag

ROOT = Path(__file__).parent.parent
FAILURE = "fatal: could not read Username for 'https://bitbucket.org': terminal prompts disabled\n" + "\n" * 30  # one line: one hit


def insights(failures: int, tmp_path: Path) -> dict[str, object]:
    log = tmp_path / "git.log"
    log.write_text(FAILURE * failures)
    done = bbdiag("scan", "--format", "bitbucket", str(log))
    assert done.returncode == 0, done.stderr
    doc: dict[str, object] = json.loads(done.stdout)
    return doc


def test_the_limits_are_dated_facts() -> None:
    k = knowledge.load()
    assert k.fact("bitbucket-insights-annotations-per-request") == "100"
    assert k.fact("bitbucket-insights-annotations-per-report") == "1000"


def test_batches_of_100_within_1000_a_report(tmp_path: Path) -> None:
    doc = insights(1234, tmp_path)
    annotations, batches = doc["annotations"], doc["batches"]
    assert isinstance(annotations, list) and isinstance(batches, list)
    assert len(annotations) == 1000 and [len(b) for b in batches] == [100] * 10
    assert [a for b in batches for a in b] == annotations
    assert len({a["external_id"] for a in annotations}) == 1000
    report = doc["report"]
    assert isinstance(report, dict) and "1234 git failure(s)" in report["details"] and "first 1000" in report["details"]
    small = insights(3, tmp_path)["batches"]
    assert isinstance(small, list) and [len(b) for b in small] == [3]


class _Proxy(BaseHTTPRequestHandler):
    """What the pipeline's proxy passes to the Reports API: each request, recorded."""

    seen: ClassVar[list[tuple[str, str, object]]] = []

    def _record(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.seen.append((self.command, self.path, json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_PUT = do_POST = _record

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    _Proxy.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def recipe() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("**Bitbucket Pipelines**", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    lines = [line.strip()[2:] for line in block.splitlines() if line.strip().startswith("- ") and "step:" not in line]
    return lines[lines.index(next(x for x in lines if x.startswith("bbdiag scan"))) :]


@pytest.mark.skipif(not (shutil.which("jq") and shutil.which("curl")), reason="the recipe uses jq and curl (.ci/run installs them)")
def test_the_readme_recipe_posts_the_report_and_every_batch(proxy: str, tmp_path: Path) -> None:
    (tmp_path / "git.log").write_text(FAILURE * 250)
    script = "set -e\n" + "\n".join(line.replace("http://localhost:29418", proxy) for line in recipe()) + "\n"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "BITBUCKET_REPO_FULL_NAME": "acme/widgets",
        "BITBUCKET_COMMIT": "4f1a2b3c",
    }
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    base = "http://api.bitbucket.org/2.0/repositories/acme/widgets/commit/4f1a2b3c/reports/bbdiag"
    assert [(method, path) for method, path, _ in _Proxy.seen] == [("PUT", base)] + [("POST", f"{base}/annotations")] * 3
    sizes = [len(body) for method, _, body in _Proxy.seen if method == "POST"]  # type: ignore[arg-type]
    assert sizes == [100, 100, 50]
