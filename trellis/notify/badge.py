"""The unread count in the header of every page, cached per user so that pages do not pay a
query for it (the cache entry is dropped when the person's inbox changes in this process, and
expires after ``TTL`` seconds for changes made by the worker process when the cache is local)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

TTL = 60


def _key(user_id: int) -> str:
    return f"trellis:notify:unread:{user_id}"


def unread_for_user(user: object) -> int | None:
    """The person's unread count, or None when they have no employee record."""
    from trellis.notify.models import Notification

    user_id = getattr(user, "pk", None)
    if user_id is None:
        return None
    cached = cache.get(_key(user_id))
    if cached is not None:
        return int(cached)
    count = Notification.objects.filter(
        recipient__user_id=user_id, in_inbox=True, read_at__isnull=True
    ).count()
    cache.set(_key(user_id), count, TTL)
    return count


def forget(user_ids: Iterable[int]) -> None:
    keys = [_key(pk) for pk in user_ids]
    if keys:
        cache.delete_many(keys)
