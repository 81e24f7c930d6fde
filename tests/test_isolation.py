"""The suite runs apart from the user's machine: no test module loads bbdiag's data at import
(before the isolation fixture), every test gets its own cache, and the user's own cache is
never written."""

from __future__ import annotations

import ast
import tempfile
from pathlib import Path

from bbdiag import cache
from tests.conftest import COLLECTION_CACHE, USER_CACHE

TESTS = Path(__file__).parent
ROOT = TESTS.parent
LOADERS = {"load", "diagnose_text", "diagnose_stream", "diagnose_lines", "scan_path", "scan_text", "scan_stream"}


def _loads_at_import(tree: ast.Module) -> list[int]:
    """Lines of module-level statements (not function bodies) that call a loader."""
    lines = []
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
                if name in LOADERS:
                    lines.append(node.lineno)
    return lines


def test_no_test_module_loads_the_library_at_import() -> None:
    offenders = {
        str(path.relative_to(ROOT)): lines for path in sorted(TESTS.rglob("*.py")) if (lines := _loads_at_import(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert not offenders, f"load inside the tests (after the isolation fixture), not at import: {offenders}"


def test_the_check_sees_a_module_level_load() -> None:
    assert _loads_at_import(ast.parse("from bbdiag import library\nLIB = library.load()\n")) == [2]
    assert _loads_at_import(ast.parse("def f():\n    return library.load()\n")) == []


def test_each_test_has_its_own_cache(isolated: Path) -> None:
    assert Path(cache.directory()).is_relative_to(isolated)


def test_outside_every_test_the_cache_is_this_runs_not_the_users() -> None:
    """Collection (and anything else before a test's isolation) caches into a directory of this run."""
    assert Path(COLLECTION_CACHE).is_relative_to(tempfile.gettempdir())
    assert not Path(COLLECTION_CACHE).is_relative_to(USER_CACHE)


def test_a_credential_cache_daemon_a_test_started_is_stopped(tmp_path: Path) -> None:
    import os
    import subprocess
    import time

    from tests.conftest import stop_credential_cache

    home = tmp_path / "home"
    socket = home / ".cache" / "git" / "credential" / "socket"
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    request = b"protocol=https\nhost=example.com\nusername=u\npassword=p\n\n"
    subprocess.run(["git", "credential-cache", "--socket", str(socket), "store"], input=request, env=env, check=True, timeout=30)
    assert socket.exists(), "the daemon is running"
    stop_credential_cache(home)
    for _ in range(50):
        if not socket.exists():
            break
        time.sleep(0.1)
    assert not socket.exists(), "git credential-cache exit stopped it"
