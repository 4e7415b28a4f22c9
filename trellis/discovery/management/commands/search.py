"""``trellis search reindex|embed|suggest|status``: the search index, item vectors and skill suggestions.

trellis search reindex [--no-vectors] [--no-suggest]   rebuild the full-text index of every
                                                      item, then embed and suggest skills
trellis search embed [--limit N]                       embed the items whose text changed
trellis search suggest                                 recompute pending skill suggestions
trellis search status                                  counts: documents, vectors, suggestions
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Search index, item vectors and automatic skill suggestions (reindex, embed, suggest, status)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["reindex", "embed", "suggest", "status"])
        parser.add_argument("--no-vectors", action="store_true", help="reindex: skip embeddings")
        parser.add_argument("--no-suggest", action="store_true", help="reindex: skip suggestions")
        parser.add_argument("--limit", type=int, default=None, help="embed: at most N items")

    def handle(self, *args: Any, **options: Any) -> None:
        from trellis.discovery import search, tagging

        action = options["action"]
        out: dict[str, Any] = {}
        if action == "reindex":
            out["index"] = search.search_index_rebuild(stdout=self.stdout)
        if action == "embed" or (action == "reindex" and not options["no_vectors"]):
            out["embedded"] = search.search_vectors_update(
                limit=options["limit"], stdout=self.stdout
            )
        if action == "suggest" or (action == "reindex" and not options["no_suggest"]):
            out["suggestions"] = tagging.tag_suggestions_update()
        if action == "status":
            out = search.search_status()
        search.search_state_reset()
        self.stdout.write(json.dumps(out, indent=2, default=str))
