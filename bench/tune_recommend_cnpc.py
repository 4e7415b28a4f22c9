"""Tune the sequence model's structural options on the CNPC *development* split only.

    python bench/cnpc_split.py            # writes data/cnpc/{dev_train,dev_valid,train,test}.jsonl
    python bench/tune_recommend_cnpc.py   # one JSON line per option set, on dev_train -> dev_valid

The blend weights are fitted inside the model (on a holdout of its own training file); this script
only compares the few structural options below. The test file is never read here.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trellis.discovery.engine.eval_recommend import evaluate, read_jsonl  # noqa: E402

GRID = {
    "gap_decay": [0.5, 0.7, 0.85],
    "history_decay": [0.3, 0.5, 0.7],
    "knn": [50, 100],
}


def main() -> None:
    data = ROOT / "data/cnpc"
    train = read_jsonl(data / "dev_train.jsonl")
    valid = read_jsonl(data / "dev_valid.jsonl")
    items = read_jsonl(data / "items.jsonl")
    keys = list(GRID)
    for values in itertools.product(*(GRID[k] for k in keys)):
        options = dict(zip(keys, values, strict=True))
        out = evaluate(train, valid, items, baselines=False, model_options=options)
        row = {"options": options, **out["trellis"], "load": os.getloadavg()[0]}
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
