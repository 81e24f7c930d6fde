"""What explain imports: the costly modules stay out of its start-up where the run does not need them.

explain sits in git's path (`git push 2>&1 | bbdiag explain`), so its start-up is the user's
wait. These laziness holds break silently (a top-level import added anywhere on the way brings
them back), and nothing else would notice: the benchmark in bench/startup.py measures, this says
which import came back. Ratios are for bench/, never timed here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TRANSCRIPT = """$ git push origin main
remote: Invalid credentials
fatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'
"""

# Runs explain in-process, then prints the modules it loaded (the report goes to a file).
PROGRAM = """
import json, sys
from bbdiag import cli
sys.stdout = open(sys.argv[1], "w")
code = cli.main(["explain", "--format", "text", sys.argv[2]])
sys.stdout.close()
sys.__stdout__.write(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _explain_modules(where: Path, transcript: Path) -> tuple[int, set[str], str]:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(where / "report.txt"), str(transcript)], cwd=where, capture_output=True, text=True, check=True, timeout=120
    )
    result = json.loads(done.stdout)
    return result["code"], set(result["modules"]), (where / "report.txt").read_text(encoding="utf-8")


def test_explain_outside_a_repository_imports_no_inspector_rich_or_pygit2(tmp_path: Path) -> None:
    transcript = tmp_path / "push.txt"
    transcript.write_text(TRANSCRIPT, encoding="utf-8")
    code, modules, report = _explain_modules(tmp_path, transcript)
    assert code == 0 and "credentials-rejected" in report  # it did explain: the laziness is not a skipped run
    assert "bbdiag.credential_helpers" in modules  # the remedy's helper came from where it should
    assert not {"bbdiag.inspector", "rich", "pygit2", "bbdiag.prefilter"} & modules


def test_explain_inside_a_repository_does_read_it(tmp_path: Path) -> None:
    """The other side of the look that keeps the inspector out: inside a repository it is used."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    transcript = tmp_path / "push.txt"
    transcript.write_text(TRANSCRIPT, encoding="utf-8")
    code, modules, _ = _explain_modules(tmp_path, transcript)
    assert code == 0 and "bbdiag.inspector" in modules
