"""What explain imports: the costly modules stay out of its start-up where the run does not need them.

explain sits in git's path (`git push 2>&1 | bbdiag explain`), so its start-up is the user's
wait. These laziness holds break silently (a top-level import added anywhere on the way brings
them back), and nothing else would notice: the benchmark in bench/startup.py measures, this says
which import came back. Ratios are for bench/, never timed here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TRANSCRIPT = """$ git push origin main
remote: Invalid credentials
fatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'
"""

# Runs explain in-process, then prints the modules it loaded (the report goes to a file).
PROGRAM = """
import json, sys
before = set(sys.modules)  # what the interpreter itself loaded (an editable install's finder, coverage)
from bbdiag import cli
sys.stdout = open(sys.argv[1], "w")
code = cli.main(["explain", "--format", "text", sys.argv[2]])
sys.stdout.close()
sys.__stdout__.write(json.dumps({"code": code, "modules": sorted(set(sys.modules) - before)}))
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


def test_explain_outside_a_repository_starts_no_stdlib_module_it_does_not_use(tmp_path: Path) -> None:
    """subprocess (git's exec path is cached), urllib.parse (a user name that needs no percent-coding),
    base64 (no bytes in explain's records), shlex, the keyword automaton for a few lines, and typing
    (bbdiag.records makes the records; 16M instructions)."""
    transcript = tmp_path / "push.txt"
    transcript.write_text(TRANSCRIPT, encoding="utf-8")
    _explain_modules(tmp_path, transcript)  # the first run fills the cache, git's exec path with it
    code, modules, _ = _explain_modules(tmp_path, transcript)
    assert code == 0
    assert not {"subprocess", "urllib.parse", "ipaddress", "base64", "shlex", "ahocorasick", "tomllib", "pathlib", "typing"} & modules


# Imports the modules explain uses, counting the stdlib expressions compiled while bbdiag's own code runs.
COMPILES = """
import json, sys, traceback
import re._compiler
compiled = []
real = re._compiler.compile
def counting(pattern, flags=0):
    caller = [f.filename for f in traceback.extract_stack()[:-1] if "/re/" not in f.filename][-1]  # who asked re
    if "/bbdiag/" in caller and not caller.endswith("lazyre.py"):
        compiled.append(f"{caller}: {pattern!r}"[:200])
    return real(pattern, flags)
re._compiler.compile = counting
import bbdiag.cli, bbdiag.commands.explain, bbdiag.pipeline, bbdiag.render.view, bbdiag.render.plain, bbdiag.credential_helpers
at_import = list(compiled)
from bbdiag import normalise, redact, remote_urls, hosts, match
sys.stdout = open(sys.argv[1], "w")
bbdiag.cli.main(["explain", "--format", "text", sys.argv[2]])
sys.stdout.close()
left = [name for module in (normalise, redact, remote_urls, hosts, match) for name, value in vars(module).items()
        if hasattr(value, "is_compiled") and not value.is_compiled]
sys.__stdout__.write(json.dumps({"at_import": at_import, "uncompiled": [f"{m}" for m in left]}))
"""


def test_importing_explain_compiles_no_regular_expression_and_a_run_only_those_it_uses(tmp_path: Path) -> None:
    """Compiling every module's expressions at import was a third of explain's run: they are
    bbdiag.lazyre's now, compiled when first used. An eager re.compile coming back fails here."""
    transcript = tmp_path / "push.txt"
    transcript.write_text(TRANSCRIPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", COMPILES, str(tmp_path / "report.txt"), str(transcript)], cwd=tmp_path, capture_output=True, text=True, check=True, timeout=120
    )
    result = json.loads(done.stdout)
    assert result["at_import"] == []
    # What this transcript never needs: CI prefixes, control characters, wrapped URLs and
    # tokens, helper fields, prompts, scp-like and ssh command URLs.
    expected_left = {
        "_CI_PREFIX",
        "_CONTROL",
        "_ANSI",
        "_GITLAB_SECTION",
        "_HELPER_FIELD",
        "_PROMPT_ANSWER",
        "_SCP_NO_USER",
        "_SSH_COMMAND",
        "_IN_TEXT",
        "_BRACKETED",
    }
    assert expected_left <= set(result["uncompiled"])


# Runs explain on a terminal in-process (FORCE_COLOR: the report goes to a file, in colour), then prints the modules it loaded.
ON_A_TERMINAL = """
import json, sys
before = set(sys.modules)
from bbdiag import cli
sys.stdout = open(sys.argv[1], "w", encoding="utf-8")
code = cli.main(["explain", "--no-repo", "--format", "terminal", sys.argv[2]])
sys.stdout.close()
sys.__stdout__.write(json.dumps({"code": code, "modules": sorted(set(sys.modules) - before)}))
"""


def _on_a_terminal(where: Path, transcript: Path) -> tuple[int, set[str], str]:
    env = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "100", "TERM": "xterm-256color"}
    done = subprocess.run(
        [sys.executable, "-c", ON_A_TERMINAL, str(where / "report"), str(transcript)],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(done.stdout)
    return result["code"], set(result["modules"]), (where / "report").read_text(encoding="utf-8")


def test_explain_on_a_terminal_imports_no_rich_and_no_typing(tmp_path: Path) -> None:
    """rich.console (with rich.text, rich.segment, rich.table) cost ~130M instructions, more than
    explain's whole run; rich.style, rich.cells and rich._wrap, with the `typing` every rich
    module imports, 63M more. From the second run on (the first stores rich.style's escape codes)
    a report of single-cell text imports none of them."""
    transcript = tmp_path / "push.txt"
    transcript.write_text(TRANSCRIPT, encoding="utf-8")
    _, first, _ = _on_a_terminal(tmp_path, transcript)
    assert "rich.style" in first  # the codes were computed by rich
    code, modules, shown = _on_a_terminal(tmp_path, transcript)
    assert code == 0 and "\x1b[1;31m" in shown and "credentials-rejected" in shown and "\x1b]8;id=" in shown  # it did render, in colour, with links
    assert "bbdiag.render.terminal" in modules
    assert not {m for m in modules if m == "rich" or m.startswith("rich.")} | ({"typing"} & modules)


def test_explain_on_a_terminal_asks_rich_for_wide_characters_and_renders_as_rich(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bbdiag import library, pipeline
    from bbdiag.render import view
    from tests import terminal_reference
    from tests.test_render_terminal import FakeTerminal, assert_same

    transcript = tmp_path / "push.txt"
    transcript.write_text(TRANSCRIPT.replace("Invalid credentials", "Invalid credentials (认证失败 請重新登錄 e\u0301)"), encoding="utf-8")
    _on_a_terminal(tmp_path, transcript)
    code, modules, shown = _on_a_terminal(tmp_path, transcript)
    assert code == 0 and "认证失败" in shown
    assert {"rich.cells", "rich._wrap"} <= modules and "rich.style" not in modules  # widths from rich, codes stored
    result = pipeline.diagnose_text(transcript.read_text(encoding="utf-8"), str(transcript), library.load())
    expected = FakeTerminal(True)
    monkeypatch.setenv("FORCE_COLOR", "1")
    terminal_reference.render(view.build(str(transcript), pipeline.remedies(result.diagnoses), result.remarks()), expected, width=100)
    assert_same(shown, expected.getvalue(), "a report with wide characters")
