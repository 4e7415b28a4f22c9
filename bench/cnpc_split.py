"""Make train / validation / test files for ``trellis eval recommend`` from the CNPC data.

    python bench/cnpc_split.py [--data ../shared/data/interactions/cnpc] [--out data/cnpc]

The published CNPC file (``train_valid_data_cnpc_v2.json``) is the training part of the authors'
split, each learner's courses in the order taken. It is split the same way again, per learner,
keeping order: the last ``max(1, round(0.2·n))`` courses go to test, and of what remains the last
``max(1, round(0.2·m))`` go to validation. Three pairs of files are written:

- ``dev_train.jsonl`` / ``dev_valid.jsonl``: tune on these;
- ``train.jsonl`` (= dev_train + dev_valid) / ``test.jsonl``: report these, once;
- ``items.jsonl``: course side information (discipline, length in days), as given.

A ``"ts"`` field (the position in the learner's sequence) keeps the order explicit. The data set is
for evaluation only (see ../shared/data/README.md): the files are written outside the repository's
tracked tree (``data/`` is git-ignored).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def split(sequence: list[int], share: float = 0.2) -> tuple[list[int], list[int]]:
    n = len(sequence)
    k = max(1, round(share * n)) if n > 1 else 0
    return sequence[: n - k], sequence[n - k :]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT.parent / "shared/data/interactions/cnpc"))
    parser.add_argument("--out", default=str(ROOT / "data/cnpc"))
    args = parser.parse_args()
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sequences: dict[int, list[int]] = defaultdict(list)
    with open(data / "train_valid_data_cnpc_v2.json", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                sequences[row["user"]].append(row["item"])

    files = {
        name: open(out / f"{name}.jsonl", "w", encoding="utf-8")  # noqa: SIM115
        for name in ("dev_train", "dev_valid", "train", "test")
    }
    counts = dict.fromkeys(files, 0)

    def write(name: str, user: int, items: list[int], start: int) -> None:
        for offset, item in enumerate(items):
            files[name].write(json.dumps({"user": user, "item": item, "ts": start + offset}) + "\n")
            counts[name] += 1

    for user, items in sequences.items():
        rest, test = split(items)
        dev_train, dev_valid = split(rest)
        write("dev_train", user, dev_train, 0)
        write("dev_valid", user, dev_valid, len(dev_train))
        write("train", user, rest, 0)
        write("test", user, test, len(rest))
    for f in files.values():
        f.close()
    with (
        open(data / "cnpc_course_info_v3.json", encoding="utf-8") as src,
        open(out / "items.jsonl", "w", encoding="utf-8") as dst,
    ):
        for line in src:
            if line.strip():
                row = json.loads(line)
                item = row.pop("course_idx2")
                dst.write(json.dumps({"item": item, **row}) + "\n")
    print(json.dumps({"out": str(out), "learners": len(sequences), "rows": counts}))


if __name__ == "__main__":
    main()
