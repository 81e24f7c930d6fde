"""Every transcript in tests/fixtures/{corpus,extra,wild/*} gets the cause and host an expert reads from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bbdiag import library, pipeline
from bbdiag.causes import CAUSES
from tests.conftest import EXTRA, labels, wild_labels

AUTH_FREE = {c for c, cause in CAUSES.items() if not cause.auth}


@pytest.mark.parametrize("label", labels() + labels(EXTRA) + wild_labels(), ids=lambda r: r["id"])
def test_corpus_case(label: dict[str, str]) -> None:
    text = (Path(label["corpus"]) / "cases" / f"{label['id']}.txt").read_bytes()
    import io

    result = pipeline.diagnose_stream(io.BytesIO(text), label["id"], library.load())
    accepted = {label["cause"], *filter(None, label["accept"].split(","))}
    if label["cause"] == "none":
        # `accept` names a cause that is right too (Bitbucket's REST text about a locked account).
        assert result.diagnoses == [] or result.diagnoses[0].cause in accepted, [d.cause for d in result.diagnoses]
        return
    assert result.diagnoses, "nothing recognised"
    primary = result.diagnoses[0]
    assert primary.cause in accepted
    if label["host"] not in ("unknown", "none"):
        assert primary.host == label["host"]
    if label["cause"] in AUTH_FREE and accepted <= AUTH_FREE | {"none"}:
        assert not primary.auth, "a credential is blamed where it is not the problem"
