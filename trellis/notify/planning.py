"""When to send: quiet hours, active hours and cap windows in a person's own time zone.

Pure functions over aware datetimes and ``zoneinfo`` zones (no database), so daylight-saving
changes are handled by the zone rules: local wall-clock times are converted to UTC for the date
they fall on, not by adding fixed hours.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = dt.UTC


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_at(date: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant of wall-clock ``time`` on ``date`` in ``tz``. A time skipped by a spring
    change (02:30 in Berlin on the last Sunday of March) maps to the instant just after the gap."""
    # fold=0 (PEP 495): in a gap, the offset from before the change (so 02:30 becomes 03:30 in
    # summer time); a repeated time in autumn maps to its first occurrence.
    return dt.datetime.combine(date, time, tzinfo=tz).astimezone(UTC)


def in_window(t: dt.time, start: dt.time, end: dt.time) -> bool:
    """Is local time ``t`` inside [start, end)? A window may cross midnight (20:00-08:00)."""
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end


def after_quiet_hours(when: dt.datetime, tz: ZoneInfo, start: dt.time, end: dt.time) -> dt.datetime:
    """``when`` if it is outside the quiet window in ``tz``, else the window's end (in UTC)."""
    local = when.astimezone(tz)
    if not in_window(local.time(), start, end):
        return when
    end_date = local.date()
    if start > end and local.time() >= start:
        end_date += dt.timedelta(days=1)
    return local_at(end_date, end, tz)


def next_local_hour(when: dt.datetime, tz: ZoneInfo, hour: int) -> dt.datetime:
    """``when`` if it is already in local hour ``hour``, else the next start of that hour."""
    local = when.astimezone(tz)
    if local.hour == hour:
        return when
    date = local.date() if local.hour < hour else local.date() + dt.timedelta(days=1)
    return local_at(date, dt.time(hour), tz)


def day_start(when: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return local_at(when.astimezone(tz).date(), dt.time(0), tz)


def week_start(when: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """Monday 00:00 local of ``when``'s week."""
    local = when.astimezone(tz).date()
    return local_at(local - dt.timedelta(days=local.weekday()), dt.time(0), tz)


def digest_slot(when: dt.datetime, tz: ZoneInfo, weekday: int, hour: int) -> dt.datetime:
    """This local week's digest time (weekday 0 = Monday, hour 0-23), in UTC."""
    local = when.astimezone(tz).date()
    monday = local - dt.timedelta(days=local.weekday())
    return local_at(monday + dt.timedelta(days=weekday), dt.time(hour), tz)


def iso_week(when: dt.datetime, tz: ZoneInfo) -> str:
    year, week, _ = when.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"
