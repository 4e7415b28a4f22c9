"""The surveys router of the JSON API (mounted at /api/v1/surveys/ by config/api.py)."""

from ninja import Router

router = Router(tags=["surveys"])
