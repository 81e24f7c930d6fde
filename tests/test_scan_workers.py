"""What each worker of a scan on every core starts with: bbdiag.scan.prepare loads and warms up, in
the parent before it forks them, everything a part's scan needs, so that no worker compiles a
regular expression or imports a module for itself (it cost 0.025 s of CPU a worker)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bbdiag import prefilter
from tests import noise

ROOT = Path(__file__).parent.parent

CHECK = """
import gc, sys
from pathlib import Path
from bbdiag import scan
from bbdiag.lazyre import LazyRegex

def compiled():
    return {id(o) for o in gc.get_objects() if isinstance(o, LazyRegex) and o.is_compiled}

scan.prepare()
modules, regexes = set(sys.modules), compiled()
log = Path(sys.argv[1])
found = scan.scan_part(str(log), 0, log.stat().st_size)
assert found.part.lines, "the part has candidates"
print(sorted(set(sys.modules) - modules), len(compiled() - regexes))
"""


@pytest.mark.skipif(not prefilter.available(), reason="parts are read only where Hyperscan is")
def test_a_worker_compiles_and_imports_nothing_for_its_part(tmp_path: Path) -> None:
    log = tmp_path / "ci.log"
    noise.write(log, 0.5)
    done = subprocess.run([sys.executable, "-c", CHECK, str(log)], capture_output=True, text=True, timeout=120, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] 0", "imported, and how many regular expressions compiled, by the part's scan: " + done.stdout
