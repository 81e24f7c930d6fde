"""Scan a folder (or a bucket) of CI logs with Dask: the recipe for millions of logs.

The scanning core is a plain function (`bbdiag.scan.scan_file_views`: a path in, picklable
records out), so any engine can map it over files. With Dask:

    pip install 'bbdiag[dask]'

    from bbdiag.contrib.dask import scan_logs
    records = scan_logs(["logs/2026-11-*/*.log"]).compute()            # local scheduler
    # on a cluster, unchanged:  from dask.distributed import Client; Client("tcp://scheduler:8786")

Each record is one diagnosis as in `bbdiag scan --format jsonl` (cause, host, source, lines,
evidence, remedy, …); `summarise` folds them into counts per cause and host.
"""

from __future__ import annotations

import glob
from collections.abc import Iterable, Sequence

from bbdiag.render.json import diagnosis_document

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def records_of(path: str, as_of: str | None = None) -> list[dict[str, Any]]:
    """Every git failure in one log (or .gz, or .zip of logs), as JSON-ready records."""
    from bbdiag.scan import scan_file_views

    return [diagnosis_document(d) for source in scan_file_views(path, as_of) for d in source.diagnoses]


def scan_logs(patterns: Sequence[str], partitions: int | None = None, as_of: str | None = None) -> Any:
    """A `dask.bag.Bag` of diagnosis records for every file the glob patterns match."""
    import dask.bag

    paths = sorted({path for pattern in patterns for path in glob.glob(pattern, recursive=True)})
    bag = dask.bag.from_sequence(paths, npartitions=partitions or max(1, min(len(paths), 64)))  # type: ignore[no-untyped-call]
    return bag.map(records_of, as_of=as_of).flatten()


def summarise(records: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Failures per `cause@host`, for a dashboard."""
    counts: dict[str, int] = {}
    for record in records:
        key = f"{record['cause']}@{record['host']}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))
