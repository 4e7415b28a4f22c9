"""``trellis``: the one entry point. Trellis's own commands, and Django's management commands through it."""

from __future__ import annotations

import os
import sys

OVERVIEW = """usage: trellis <command> [options]

Trellis commands:
  demo          Set up the database, load the demo organisation (idempotent), then serve it
  serve         Serve the web app (and, with --with-worker, the background worker)
  worker        Run the background worker (Django tasks on the database)
  import        Import data: trellis import <kind> <path>  (kinds: hris, esco, onet, catalog, openstax)
  createadmin   Create an L&D admin account (optionally a Django superuser)
  lrs           Learning record store: trellis lrs client create|list|revoke, trellis lrs reproject
  search        Search and enrichment: trellis search reindex|embed|suggest|status
  eval          Offline quality: trellis eval recommend|search (metrics against baselines)
  insights      Dashboards' aggregates: trellis insights refresh [--incremental]

Django's management commands work too (trellis migrate, trellis shell, trellis check, ...):
  trellis help --commands   lists them all; trellis <command> --help explains one.
"""


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not args or args[0] in {"-h", "--help"} or args == ["help"]:
        sys.stdout.write(OVERVIEW)
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["trellis", *args])


if __name__ == "__main__":
    main()
