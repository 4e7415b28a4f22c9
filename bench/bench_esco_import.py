"""Benchmark: the full ESCO import into a fresh temporary SQLite database.

Run: .venv/bin/python bench/bench_esco_import.py [--data DIR]

Prints the seconds of the first import and of the idempotent re-import, rows per second, and each
as a ratio to a baseline measured in the same run: the time to merely decompress and parse the same
files with the csv module (so "import / parse" says how much the database work costs on top of
reading the data). Times are printed, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
csv.field_size_limit(sys.maxsize)


def parse_baseline(folder: Path, stems: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    rows = 0
    for stem in stems:
        path = folder / f"{stem}.csv.gz"
        if not path.exists():
            path = folder / f"{stem}.csv"
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", newline="") as fh:
            for _ in csv.DictReader(fh):
                rows += 1
    return time.perf_counter() - started, rows


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the full ESCO import on SQLite")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "esco")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="trellis-bench-")
    os.environ["TRELLIS_DATA_DIR"] = tmp  # a fresh SQLite file database (WAL, as in production)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        run(args.data, tmp)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(tmp, ignore_errors=True)


def run(data: Path, tmp: str) -> None:
    from trellis.core.importing import run_import
    from trellis.skills.importers import ESCO_FILES

    args = argparse.Namespace(data=data)
    baseline, rows = parse_baseline(args.data, list(ESCO_FILES))

    started = time.perf_counter()
    first = run_import("esco", args.data)
    first_s = time.perf_counter() - started
    if not first.ok:
        raise SystemExit(f"import failed: {[str(e) for e in first.errors[:5]]}")

    started = time.perf_counter()
    again = run_import("esco", args.data)
    again_s = time.perf_counter() - started

    print(f"ESCO import benchmark ({args.data}, SQLite file database in {tmp})")
    print(
        f"  rows read              {rows:>10,}  ({first.details['skills']:,} skills, {first.details['labels']:,} labels, "
        f"{first.details['occupations']:,} occupations, {first.details['relations']:,} relations)"
    )
    print(f"  parse only (baseline)  {baseline:>9.2f} s  {rows / baseline:>10,.0f} rows/s")
    print(
        f"  first import           {first_s:>9.2f} s  {rows / first_s:>10,.0f} rows/s  import/parse ratio {first_s / baseline:.1f}x"
    )
    print(
        f"  re-import (no change)  {again_s:>9.2f} s  {rows / again_s:>10,.0f} rows/s  import/parse ratio {again_s / baseline:.1f}x"
        f"  (created {again.created}, updated {again.updated}, unchanged {again.unchanged})"
    )


if __name__ == "__main__":
    main()
