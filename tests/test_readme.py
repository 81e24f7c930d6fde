"""The README stays in step with the data and the behaviour it shows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_policy_table_is_generated_from_the_data() -> None:
    source = (ROOT / "tools" / "update-readme").read_text()
    namespace: dict[str, object] = {"__name__": "update_readme", "__file__": str(ROOT / "tools" / "update-readme")}
    exec(compile(source, "update-readme", "exec"), namespace)
    readme = (ROOT / "README.md").read_text()
    assert namespace["render"](readme) == readme, "README is out of step with the data: run tools/update-readme"  # type: ignore[operator]


def test_the_example_output_is_what_bbdiag_prints() -> None:
    readme = (ROOT / "README.md").read_text()
    shown = readme.split("$ git push 2>&1 | bbdiag explain\n", 1)[1].split("```", 1)[0]
    done = subprocess.run(
        [sys.executable, "-m", "bbdiag", "explain", "--no-repo", "--format", "text", "--as-of", "2026-11-28", "-"],
        input=(ROOT / "tests/fixtures/corpus/cases/p001.txt").read_bytes(),
        capture_output=True,
        check=True,
    )
    assert done.stdout.decode() == shown


def test_the_documented_commands_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    assert ".venv/bin/pip install . && .venv/bin/bbdiag explain tests/fixtures/corpus/cases/p001.txt" in readme
    assert "pip install -e '.[test]' && .venv/bin/python -m pytest" in readme
    assert ".venv/bin/python -m coverage run -m pytest" in (ROOT / ".ci" / "run").read_text()
    assert (ROOT / "tests/fixtures/corpus/cases/p001.txt").exists()
