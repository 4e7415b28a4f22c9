"""The planned vs actual pace curve as a small inline SVG (no JavaScript, no CDN)."""

from __future__ import annotations

from typing import Any

W, H, PAD = 560, 220, 36


def pace_chart(dashboard: dict[str, Any]) -> dict[str, Any] | None:
    curve = dashboard["curve"]
    if not curve:
        return None
    n = max(1, len(curve) - 1)

    def xy(i: int, share: float) -> str:
        x = PAD + (W - 2 * PAD) * i / n
        y = H - PAD - (H - 2 * PAD) * share
        return f"{x:.1f},{y:.1f}"

    return {
        "width": W,
        "height": H,
        "planned": " ".join(xy(i, p) for i, (_, p, _) in enumerate(curve)),
        "actual": " ".join(xy(i, a) for i, (_, _, a) in enumerate(curve)),
        "first": curve[0][0],
        "last": curve[-1][0],
        "grid": [
            {"y": H - PAD - (H - 2 * PAD) * s / 100, "label": f"{s} %"}
            for s in (0, 25, 50, 75, 100)
        ],
        "left": PAD,
        "right": W - PAD,
        "bottom": H - PAD + 16,
        "rows": [
            {"day": d, "planned": round(p * 100), "actual": round(a * 100)} for d, p, a in curve
        ],
    }
