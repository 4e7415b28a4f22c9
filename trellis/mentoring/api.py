"""The mentoring router of the JSON API (mounted at /api/v1/mentoring/ by config/api.py)."""

from ninja import Router

router = Router(tags=["mentoring"])
