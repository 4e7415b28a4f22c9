"""Self-directed learning API (/api/v1/discovery/): search, ask, learning paths, playlists and the
personalization controls, scoped exactly as the pages are.

- Everything is about the caller: a learner reads and changes only their own paths, playlists and
  controls; a manager suggests paths only to people in their reporting line and reads only the
  paths they suggested (404 for anyone else, whether they exist or not); curated playlists are made
  and changed by L&D admins only (403 for other roles); a playlist the caller may not see is 404.
- Tokens: reading needs the ``discovery:read`` scope, changing anything the ``discovery:write`` scope
  (a browser session is limited by roles only, CSRF-checked).
- Bad input answers 422 naming each field (``body.weekly_minutes``, ``query.level``) and writes
  nothing. Searches and questions are not stored, as on the pages.
"""

from __future__ import annotations

from ninja import Router

from trellis.discovery.api_paths import router as paths_router
from trellis.discovery.api_personalization import router as personalization_router
from trellis.discovery.api_playlists import router as playlists_router
from trellis.discovery.api_search import router as search_router

router = Router(tags=["discovery"])
router.add_router("", search_router)
router.add_router("", paths_router)
router.add_router("", playlists_router)
router.add_router("", personalization_router)
