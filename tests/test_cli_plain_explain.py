"""cli.plain_explain, explain's usual command lines parsed without argparse, parses them as argparse does.

Every other command line (help, errors, abbreviations, `--opt=value`) goes to argparse, so the
only way the two can differ is a line plain_explain takes: each one it takes here must come out
as argparse's Namespace, and an option added to explain's parser and not to plain_explain shows
up as a difference on the bare `explain`.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest

from bbdiag import cli

OPTIONS = [["--format", "json"], ["--format", "text"], ["--repo", "some dir"], ["--no-repo"], ["--as-of", "2026-01-01"], ["saved.txt"], ["-"], [""]]
ODD = [
    ["--format", "colour"],
    ["--fo", "json"],
    ["--format=json"],
    ["-h"],
    ["--help"],
    ["--repo"],
    ["--repo", "-x"],
    ["--as-of", "-1"],
    ["--"],
    ["-x y"],
    ["--no-repo", "--no-repo"],
]


def _argparse(words: list[str]) -> dict[str, object] | None:
    try:
        parsed = cli._parser(words).parse_args(words)
    except SystemExit:
        return None
    return {k: v for k, v in vars(parsed).items() if k != "command"}


def _lines() -> list[list[str]]:
    lines = [["explain"]]
    for count in (1, 2, 3):
        for chosen in itertools.permutations(OPTIONS, count):
            lines.append(["explain", *itertools.chain.from_iterable(chosen)])
    for odd in ODD:
        lines += [["explain", *odd], ["explain", "saved.txt", *odd], ["explain", *odd, "--no-repo"]]
    return lines


def test_what_plain_explain_takes_argparse_parses_alike(capsys: pytest.CaptureFixture[str]) -> None:
    taken = 0
    for words in _lines():
        fast = cli.plain_explain(words)
        if fast is None:
            continue
        taken += 1
        assert {k: v for k, v in vars(fast).items() if k != "command"} == _argparse(words), words
    capsys.readouterr()  # argparse's messages for the odd lines
    assert taken > 200


@pytest.mark.parametrize("odd", ODD)
def test_what_argparse_would_refuse_or_read_otherwise_is_left_to_it(odd: list[str]) -> None:
    assert cli.plain_explain(["explain", *odd]) is None
    assert cli.plain_explain(["doctor"]) is None and cli.plain_explain([]) is None and cli.plain_explain(["--version"]) is None


def test_the_usual_lines_are_taken() -> None:
    """The start-up saving is only there when these are taken: git push 2>&1 | bbdiag explain, and its kin."""
    for words in (["explain"], ["explain", "--format", "json"], ["explain", "ci.log"], ["explain", "--no-repo", "-"]):
        fast = cli.plain_explain(words)
        assert fast is not None and fast.name == "explain" and fast.command.__qualname__ == cli._command("explain").__qualname__


def test_help_and_errors_are_argparses() -> None:
    done = subprocess.run([sys.executable, "-m", "bbdiag", "explain", "--format", "colour"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "invalid choice: 'colour'" in done.stderr
    done = subprocess.run([sys.executable, "-m", "bbdiag", "explain", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "--no-repo" in done.stdout
