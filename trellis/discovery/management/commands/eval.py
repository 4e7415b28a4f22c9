"""``trellis eval recommend|search``: the offline evaluation commands (engine code, no database).

    trellis eval recommend --train FILE --test FILE [--k 10] [--items FILE]
    trellis eval search --catalog FILE --qa FILE

Arguments after the subcommand go to the engine's own parser (``--help`` explains each).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError

USAGE = """usage: trellis eval {recommend,search} [options]

  recommend   --train FILE --test FILE [--k 10] [--items FILE]
              recommendation metrics (Recall/NDCG@10/20, coverage) for Trellis and baselines
  search      --catalog FILE --qa FILE
              search metrics (nDCG@10, Recall@10, MRR, latency) for lexical, semantic and hybrid

trellis eval <subcommand> --help explains one.
"""


def run(args: Sequence[str]) -> int:
    if not args or args[0] in {"-h", "--help", "help"}:
        sys.stdout.write(USAGE)
        return 0
    sub, rest = args[0], list(args[1:])
    if sub == "recommend":
        from trellis.discovery.engine.eval_recommend import main
    elif sub == "search":
        from trellis.discovery.engine.eval_search import main  # the search engineer's engine
    else:
        sys.stderr.write(f"unknown subcommand {sub!r}\n\n{USAGE}")
        return 2
    try:
        result = main(rest)  # recommend returns an exit code; search returns (and prints) its JSON
        return result if isinstance(result, int) else 0
    except SystemExit as exc:
        code = exc.code
        if isinstance(code, str):
            sys.stderr.write(code + "\n")
            return 2
        return int(code or 0)


class Command(BaseCommand):
    help = "Offline evaluation of recommendations and search: trellis eval recommend|search …"

    def run_from_argv(self, argv: list[str]) -> None:
        # Everything after "eval" belongs to the engine's parser (its own --help, its own errors).
        sys.exit(run(argv[2:]))

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("args", nargs=argparse.REMAINDER)

    def handle(self, *args: Any, **options: Any) -> None:
        code = run(list(args))
        if code:
            raise CommandError(f"trellis eval exited with status {code}")
