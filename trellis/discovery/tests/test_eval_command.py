"""``trellis eval recommend`` through the trellis command (Django management command ``eval``)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_eval_recommend_through_call_command(tmp_path, capsys):
    train, test = [], []
    for u in range(60):
        seq = [(u + j) % 25 for j in range(5)]
        train += [{"user": u, "item": i} for i in seq[:4]]
        test.append({"user": u, "item": seq[4]})
    args = [
        "--train",
        write(tmp_path / "tr.jsonl", train),
        "--test",
        write(tmp_path / "te.jsonl", test),
    ]
    call_command("eval", "recommend", *args, "--k", "5")
    out = json.loads(capsys.readouterr().out)
    assert out["k"] == 5
    assert {"trellis", "popularity", "itemknn", "ease"} <= set(out)
    assert "coverage@5" in out["trellis"] and "Recall@10" in out["ease"]
    assert out["data"]["test_users"] == 60


def test_eval_errors_are_reported(tmp_path):
    with pytest.raises(CommandError):
        call_command("eval", "recommend", "--train", str(tmp_path / "missing"), "--test", "x")
    with pytest.raises(CommandError):
        call_command("eval", "nonsense")


def test_trellis_eval_help_from_the_console_script():
    out = subprocess.run(
        [sys.executable, "-m", "trellis.cli", "eval", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "recommend" in out.stdout and "search" in out.stdout
