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


def test_every_flag_of_fix_is_documented_in_its_help_and_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    done = subprocess.run([sys.executable, "-m", "bbdiag", "fix", "--help"], capture_output=True, text=True, check=True)
    flags = {w for word in done.stdout.replace("/", " ").split() if (w := word.rstrip(",.)")).startswith("--") and w != "--help"}
    assert {"--yes", "--dry-run", "--token-stdin", "--undo", "--all", "--user", "--replace", "--fetch-only", "--remote"} <= flags
    assert [f for f in flags if f != "--as-of" and f"`{f}" not in readme] == [], "a flag of bbdiag fix the README does not mention"
    for code in ("0  fixed", "1  the host refused", "2  usage or input error", "3  bbdiag itself failed"):
        assert code in done.stdout
