"""Success lines are everywhere in CI logs (every fetch prints `* branch main -> FETCH_HEAD`); they
must never use up what a log may keep for its failures (match.MAX_HITS, MAX_URLS), on either read
path. Found when the FETCH_HEAD wording became a success pattern: the realistic 301 MiB log then
lost 44 of its 56 failures, and 326 lines per MiB reached Python's slow path."""

from __future__ import annotations

import io

import pytest

from bbdiag import library, pipeline, prefilter
from bbdiag.match import MAX_HITS, MAX_URLS

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
