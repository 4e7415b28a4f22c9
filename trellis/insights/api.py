"""The insights router of the JSON API (mounted at /api/v1/insights/ by config/api.py)."""

from ninja import Router

router = Router(tags=["insights"])
