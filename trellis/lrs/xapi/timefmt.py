"""xAPI timestamps and durations (xAPI-Data.md §4.5, §4.6). Pure Python, no Django.

- 1.0.3 accepts ISO 8601 combined date and time in the extended (``2013-05-10T10:31:00.123+02:00``)
  or basic (``20130510T103100Z``) format; a timestamp without a time zone is read as UTC.
- 2.0.0 requires RFC 3339: ``YYYY-MM-DDThh:mm:ss[.frac](Z|±hh:mm)``, with the offset.
- Neither accepts the ``-00:00`` offset (an "unknown" offset in RFC 3339, not allowed by ISO 8601).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from trellis.lrs.xapi.errors import XapiValidationError

V2 = "2.0.0"

_EXTENDED = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?\Z"
)
_BASIC = re.compile(
    r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?:\d{2})?)?\Z"
)
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})\Z"
)
_DURATION = re.compile(
    r"P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?\Z"
)
_WEEKS = re.compile(r"P(\d+(?:[.,]\d+)?)W\Z")
_DURATION_UNITS = (365 * 86400, 30 * 86400, 86400, 3600, 60, 1)


def parse_timestamp(value: str, *, path: str, version: str) -> datetime:
    """The aware UTC datetime of an xAPI Timestamp; XapiValidationError naming ``path`` otherwise."""
    if not isinstance(value, str):
        raise XapiValidationError(path, "must be a timestamp string")
    if version == V2:
        match = _RFC3339.match(value)
        if match is None:
            raise XapiValidationError(
                path,
                "must be an RFC 3339 timestamp with a time zone, e.g. 2024-05-10T10:31:00.123Z",
            )
    else:
        match = _EXTENDED.match(value) or _BASIC.match(value)
        if match is None:
            raise XapiValidationError(
                path, "must be an ISO 8601 timestamp, e.g. 2013-05-10T10:31:00.123Z"
            )
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    tz = _zone(zone, path)
    micro = int((fraction + "000000")[:6]) if fraction else 0
    try:
        dt = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tz
        )
    except ValueError as exc:
        raise XapiValidationError(path, f"is not a valid date and time ({exc})") from None
    return dt.astimezone(UTC)


def _zone(zone: str | None, path: str) -> timezone:
    if zone is None or zone in ("Z", "z"):
        return UTC
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise XapiValidationError(path, f"has an invalid time zone offset {zone}")
    if hours == 0 and minutes == 0 and zone[0] == "-":
        raise XapiValidationError(path, "must not use the offset -00:00 (use Z or +00:00)")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if zone[0] == "-" else offset)


def format_timestamp(dt: datetime) -> str:
    """ISO 8601 in UTC with milliseconds: ``2024-05-10T08:31:00.123Z``."""
    dt = dt.astimezone(UTC)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{dt.microsecond // 1000:03d}Z"


def parse_duration(value: str, *, path: str) -> float:
    """Seconds in an ISO 8601 duration (``PT1H2M3.5S``, ``P1D``, ``P2W``).

    Years count 365 days and months 30 days (the spec says durations cannot be converted exactly;
    this is for sums such as time spent). A decimal fraction is allowed on the smallest unit only;
    the alternative format (``P0001-02-03T…``) and mixing weeks with other units are refused.
    """
    if not isinstance(value, str):
        raise XapiValidationError(path, "must be an ISO 8601 duration string such as PT1H30M")
    match = _WEEKS.match(value)
    if match is not None:
        return _number(match.group(1)) * 7 * 86400
    match = _DURATION.match(value)
    if match is None or value.endswith("T"):
        raise XapiValidationError(path, "must be an ISO 8601 duration such as PT1H30M or P2W")
    parts = match.groups()
    present = [i for i, part in enumerate(parts) if part is not None]
    if not present:
        raise XapiValidationError(path, "must be an ISO 8601 duration such as PT1H30M or P2W")
    for i in present[:-1]:
        if "." in parts[i] or "," in parts[i]:  # type: ignore[operator]
            raise XapiValidationError(path, "may have a decimal fraction on its smallest unit only")
    return sum(_number(parts[i]) * _DURATION_UNITS[i] for i in present)  # type: ignore[arg-type]


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def is_duration(value: object) -> bool:
    """True when ``value`` is a valid ISO 8601 duration string."""
    try:
        parse_duration(value, path="")  # type: ignore[arg-type]
    except XapiValidationError:
        return False
    return True
