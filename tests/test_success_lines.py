"""Success lines are everywhere in CI logs (every fetch prints `* branch main -> FETCH_HEAD`); they
must never use up what a log may keep for its failures (match.MAX_HITS, MAX_URLS), on either read
path. Found when the FETCH_HEAD wording became a success pattern: the realistic 301 MiB log then
lost 44 of its 56 failures, and 326 lines per MiB reached Python's slow path."""

from __future__ import annotations

import io

import pytest

from bbdiag import library, normalise, pipeline, prefilter
from bbdiag.match import MAX_HITS, MAX_URLS, NEAR_BEFORE
from bbdiag.normalise import Reading

FETCH = "From https://github.com/acme/tools\n * branch            main       -> FETCH_HEAD\n"
FAILURE = "remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'\n"
WARNING = "fatal: Logon failed, use ctrl+c to cancel basic credential prompt.\n"
PUSHED = "To https://bitbucket.org/acme/widgets.git\n   3226b85..6f17547  main -> main\n"


def diagnose(text: str, fast: bool) -> pipeline.Result:
    data = text.encode("utf-8")
    if fast:  # past FAST_AFTER the read stage's fast backend reads it (where Hyperscan is)
        data += b"\n" * max(0, pipeline.FAST_AFTER + 1 - len(data))
    return pipeline.diagnose_stream(io.BytesIO(data), "ci.log", library.load())


PATHS = [pytest.param(False, id="line path"), pytest.param(True, id="fast path", marks=pytest.mark.skipif(not prefilter.available(), reason="no Hyperscan"))]


@pytest.mark.parametrize("fast", PATHS)
def test_a_failure_after_thousands_of_fetches_is_found_with_its_remote(fast: bool) -> None:
    result = diagnose(FETCH * (MAX_HITS + MAX_URLS) + FAILURE, fast)
    (only,) = result.diagnoses
    assert (only.cause, only.host) == ("credentials-rejected", "bitbucket-cloud")
    assert only.url is not None and only.url.text.startswith("https://bitbucket.org/acme/widgets.git")
    assert result.hits_dropped == 0 and result.hits <= 3  # one success of the run, the failure's two lines


@pytest.mark.parametrize("fast", PATHS)
def test_a_warning_is_still_cancelled_by_the_success_after_it_and_explain_names_the_last(fast: bool) -> None:
    result = diagnose(FETCH * 50 + WARNING + PUSHED * 3, fast)
    assert result.diagnoses == []
    lines = (FETCH * 50 + WARNING + PUSHED * 3).splitlines()
    assert result.succeeded_at == len(lines)  # the last ref update, not the first of its run


# What the fast path may skip: of a run of success lines (no failure between), match_lines keeps
# the last, so prefilter passes on only those from the end of the run back to the first that is
# surely a success (prefilter._runs_of_successes). These lines look like successes to Hyperscan's
# loosened regexes but are none, or are doubtful, so the run's end must be read as it is.
NOT_QUITE = [
    " * branch            main       -> FETCH_HEAD (it said)",  # the real regex ends at `FETCH_HEAD\s*$`
    "E       * branch            main       -> FETCH_HEAD",  # pytest quoting it: test output, dropped
    "curl: (22) * branch main -> FETCH_HEAD",  # a foreign tool's line: only host patterns are searched
    " * branch \x1b[1mmain\x1b[0m -> FETCH_HEAD",  # cleaned (ANSI), so checked by keywords
    " * branch            main       -> FETCH_HEAD\r   3226b85..6f17547  main -> main",  # two pieces
]


def both_paths(text: str, chunk: int, monkeypatch: pytest.MonkeyPatch) -> tuple[pipeline.Result, pipeline.Result, int]:
    """The line path's result and the fast path's with chunks of `chunk` bytes, and how many lines the fast path passed on."""
    lib, data = library.load(), text.encode("utf-8")
    reading = Reading("ci.log")
    slow = pipeline.diagnose_lines(normalise.read(io.BufferedReader(io.BytesIO(data)), reading), reading, lib)
    monkeypatch.setattr(prefilter, "CHUNK", chunk)
    lines = list(prefilter.read(io.BytesIO(data), Reading("ci.log"), lib))
    fast_reading = Reading("ci.log")
    return slow, pipeline.diagnose_lines(prefilter.read(io.BytesIO(data), fast_reading, lib), fast_reading, lib), len(lines)


def outcome(result: pipeline.Result) -> tuple[object, ...]:
    return [(d.cause, d.host, d.lines) for d in result.diagnoses], result.hits, result.hits_dropped, result.patterns_seen, result.succeeded_at


FAST = pytest.mark.skipif(not prefilter.available(), reason="no Hyperscan")


@FAST
@pytest.mark.parametrize("chunk", [97, 256, 1000, 4096])
@pytest.mark.parametrize("ending", range(len(NOT_QUITE) + 1))
def test_a_run_of_successes_is_read_to_its_last_real_one_however_it_is_chunked(chunk: int, ending: int, monkeypatch: pytest.MonkeyPatch) -> None:
    tail = "\n".join(NOT_QUITE[:ending])
    for text in (
        FETCH * 40 + WARNING + PUSHED * 30 + tail + "\n",  # the success cancels the warning, and explain names the last
        WARNING + PUSHED * 30 + tail + "\n" + FAILURE + FETCH * 30 + tail + "\nnoise\n",
        FETCH * 30 + tail,  # the log ends in the run, without a newline
    ):
        slow, fast, _ = both_paths(text, chunk, monkeypatch)
        assert outcome(fast) == outcome(slow)


@FAST
def test_the_fast_path_passes_on_few_of_a_run_of_successes(monkeypatch: pytest.MonkeyPatch) -> None:
    # The saving itself: 2,000 fetches, one success line passed on per chunk of the run.
    text = ("npm warn deprecated inflight 1.0.6: This module is not supported\n * branch            main       -> FETCH_HEAD\n" * 2000) + FAILURE
    slow, fast, passed = both_paths(text, 4096, monkeypatch)
    assert outcome(fast) == outcome(slow) and slow.succeeded_at is None and slow.diagnoses
    assert passed <= len(text) // 4096 + 1 + 2  # a line a chunk, and the failure's two


@FAST
def test_a_success_line_that_names_a_url_is_passed_on_even_inside_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    # match_lines notes every host named (hosts_named): a success line with a URL is read wherever it is.
    fetch = " * branch            main       -> FETCH_HEAD\n"
    text = fetch * 3 + " = [up to date]      https://gitlab.example.com/a -> main\n" + fetch * (NEAR_BEFORE + 10) + FAILURE
    lines = [line.text for line in prefilter.read(io.BytesIO(text.encode("utf-8")), Reading("-"), library.load())]
    assert len(lines) == 5 and lines[1].startswith(" = [up to date]")  # the first line is read alone (prefilter.read's head)


@FAST
def test_successes_past_what_a_log_keeps_are_not_counted_as_failures_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    # Past MAX_HITS match_lines counts the failures it did not keep: the fast path passes on few successes, so none are counted.
    slow, fast, _ = both_paths(WARNING * (MAX_HITS + 3) + FETCH * 20, 4096, monkeypatch)
    assert outcome(fast) == outcome(slow) and slow.hits_dropped == 3
