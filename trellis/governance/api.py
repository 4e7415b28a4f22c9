"""The governance router of the JSON API (mounted at /api/v1/governance/ by config/api.py)."""

from ninja import Router

router = Router(tags=["governance"])
