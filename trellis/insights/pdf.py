"""Printable executive reports (reportlab): one per program, one for AI readiness. Charts are drawn
with reportlab.graphics; every chart has its table. Suppressed survey groups print as such."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils import timezone
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from trellis.insights.tables import Dashboard, display

BLUE = colors.HexColor("#1f5f8b")
ORANGE = colors.HexColor("#c2571a")
STYLES = getSampleStyleSheet()
WIDTH = A4[0] - 36 * mm


def _doc(title: str, story: list[Any]) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        pageCompression=0,  # the text stays searchable in the raw file (tests, archiving tools)
        author=getattr(settings, "ORGANISATION_NAME", "Trellis"),
    )
    doc.build(story)
    return buf.getvalue()


def _p(text: str, style: str = "BodyText") -> Paragraph:
    from xml.sax.saxutils import escape

    return Paragraph(escape(str(text)), STYLES[style])


def _table(header: list[str], rows: list[list[Any]]) -> Table:
    data = [header, *[[str(c) for c in r] for r in rows]]
    t = Table(data, repeatRows=1, hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f1f4f8")]),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t


def _bars(
    labels: list[str],
    series: list[list[float]],
    names: list[str],
    *,
    horizontal: bool = False,
    max_value: float | None = None,
) -> Drawing:
    height = max(160, 18 * len(labels) + 60) if horizontal else 200
    d = Drawing(WIDTH, height)
    chart: Any = HorizontalBarChart() if horizontal else VerticalBarChart()
    chart.x, chart.y = (150, 30) if horizontal else (40, 50)
    chart.width = WIDTH - (190 if horizontal else 60)
    chart.height = height - (50 if horizontal else 80)
    chart.data = [[v or 0 for v in s] for s in series] or [[0]]
    chart.categoryAxis.categoryNames = [label[:28] for label in labels]
    chart.categoryAxis.labels.fontSize = 7
    if not horizontal:
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontSize = 7
    values = [v or 0 for s in series for v in s]
    chart.valueAxis.valueMin = min(0, min(values, default=0))
    chart.valueAxis.valueMax = (
        max_value if max_value is not None else max(1, max(values, default=1))
    )
    for i, c in enumerate([BLUE, ORANGE]):
        if i < len(series):
            chart.bars[i].fillColor = c
    d.add(chart)
    if len(names) > 1:
        legend = Legend()
        legend.x, legend.y = WIDTH - 160, height - 8
        legend.fontSize = 7
        legend.alignment = "right"
        legend.colorNamePairs = list(zip([BLUE, ORANGE], names, strict=False))
        d.add(legend)
    return d


def _line(labels: list[str], series: list[list[float | None]], max_value: float = 100) -> Drawing:
    d = Drawing(WIDTH, 180)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 40, 40, WIDTH - 60, 120
    chart.data = [[v if v is not None else 0 for v in s] for s in series] or [[0]]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = min(0, *(v for s in chart.data for v in s))
    chart.valueAxis.valueMax = max_value
    chart.valueAxis.labels.fontSize = 7
    chart.lines[0].strokeColor = BLUE
    chart.lines[0].strokeWidth = 2
    d.add(chart)
    return d


def program_report(*, record: dict[str, Any], scope: Any) -> bytes:
    """Planned vs actual of one program: overall, trend, segments and the biggest gaps."""
    program = record["program"]
    enrolled, done, planned = record["enrolled"], record["completed"], record["planned"]
    actual = done / enrolled if enrolled else 0.0
    story: list[Any] = [
        _p(f"{program.name}: planned vs actual", "Title"),
        _p(
            f"{scope.label}. Figures as of {record['day']:%d %b %Y}; printed {timezone.now():%d %b %Y %H:%M}."
        ),
    ]
    if program.objective:
        story.append(_p(program.objective))
    story += [
        Spacer(1, 4 * mm),
        _table(
            [
                "Enrolled",
                "Completed",
                "Planned by today",
                "Actual",
                "Gap (points)",
                "Planned effort",
                "Actual effort",
            ],
            [
                [
                    enrolled,
                    done,
                    f"{planned * 100:.1f} %",
                    f"{actual * 100:.1f} %",
                    f"{(actual - planned) * 100:+.1f}",
                    f"{record['planned_hours']:,.1f} h",
                    f"{record['actual_hours']:,.1f} h",
                ]
            ],
        ),
    ]
    trend = [t for t in record["trend"] if t[3]]
    if trend:
        story += [Spacer(1, 4 * mm), _p("Trend (weekly)", "Heading2")]
        labels = [f"{d:%d %b}" for d, *_ in trend]
        story.append(
            _bars(
                labels,
                [
                    [round(p * 100, 1) for _, p, _, _ in trend],
                    [round(c / e * 100, 1) for _, _, c, e in trend],
                ],
                ["Planned %", "Actual %"],
                max_value=100,
            )
        )
        story.append(
            _table(
                ["Week", "Enrolled", "Planned", "Actual", "Gap (points)"],
                [
                    [
                        f"{d:%d %b %Y}",
                        e,
                        f"{p * 100:.1f} %",
                        f"{c / e * 100:.1f} %",
                        f"{(c / e - p) * 100:+.1f}",
                    ]
                    for d, p, c, e in trend
                ],
            )
        )
    for kind, title in (
        ("department", "By department"),
        ("job_role", "By job role"),
        ("location", "By location"),
    ):
        segs = record["segments"].get(kind, [])
        if not segs:
            continue
        rows = []
        for s in segs:
            a = s["completed"] / s["enrolled"] if s["enrolled"] else 0.0
            rows.append((round((a - s["planned"]) * 100, 1), s, a))
        rows.sort(key=lambda r: (r[0], r[1]["label"]))
        story += [Spacer(1, 4 * mm), _p(title, "Heading2")]
        if kind == "department":
            story.append(
                _bars(
                    [r[1]["label"] for r in rows[:15]],
                    [[r[0] for r in rows[:15]]],
                    ["Gap (points)"],
                    horizontal=True,
                )
            )
        story.append(
            _table(
                ["Segment", "Enrolled", "Planned", "Actual", "Gap (points)"],
                [
                    [
                        s["label"],
                        s["enrolled"],
                        f"{s['planned'] * 100:.1f} %",
                        f"{a * 100:.1f} %",
                        f"{g:+.1f}",
                    ]
                    for g, s, a in rows[:20]
                ],
            )
        )
    if record["teams"]:
        story += [Spacer(1, 4 * mm), _p("Teams with the biggest gaps", "Heading2")]
        story.append(
            _table(
                ["Manager's team", "Enrolled", "Completed", "Completions short"],
                [[n, e, c, f"{p * e - c:.1f}"] for n, e, c, p in record["teams"][:10]],
            )
        )
    if record["drivers"]:
        story += [Spacer(1, 4 * mm), _p("Learners the plan most expected to be done", "Heading2")]
        story.append(
            _table(
                ["Learner", "Planned share by today"],
                [[n, f"{s * 100:.0f} %"] for n, s in record["drivers"][:10]],
            )
        )
    return _doc(f"{program.name}: planned vs actual", story)


def readiness_report(*, dashboard: Dashboard) -> bytes:
    """AI readiness: the index and its formula, by group (suppressed groups printed as such),
    the trend between waves, AI literacy and AI program completion by department."""
    extra = dashboard.extra
    story: list[Any] = [
        _p("AI readiness", "Title"),
        _p(f"{dashboard.scope_label}. Printed {timezone.now():%d %b %Y %H:%M}."),
        _table(
            [label for label, _ in dashboard.headline], [[value for _, value in dashboard.headline]]
        ),
        Spacer(1, 3 * mm),
        _p("How the index is computed", "Heading2"),
        _p(extra["formula"]),
        _table(["Component", "Weight"], [[label, f"{w:.2f}"] for _, w, label in extra["weights"]]),
    ]
    for t in dashboard.tables:
        story += [Spacer(1, 4 * mm), _p(t.title, "Heading2")]
        if t.key == "groups":
            shown = [r for r in t.rows if isinstance(r.get("index"), int | float)]
            if shown:
                story.append(
                    _bars(
                        [r["group"] for r in shown],
                        [[r["index"] for r in shown]],
                        ["Index"],
                        horizontal=True,
                        max_value=100,
                    )
                )
            cols = [
                c
                for c in t.columns
                if c.key
                in {
                    "group",
                    "respondents",
                    "comfort",
                    "weekly_use",
                    "tool_confidence",
                    "strategy_communicated",
                    "literacy",
                    "index",
                }
            ]
        elif t.key == "trend":
            pts = [r for r in t.rows if isinstance(r.get("index"), int | float)]
            if len(pts) > 1:
                story.append(_line([r["wave"] for r in pts], [[r["index"] for r in pts]]))
            cols = t.columns
        else:
            cols = t.columns[:8]
        if not t.rows:
            story.append(_p("No figures yet."))
            continue
        story.append(
            _table(
                [c.label for c in cols],
                [[display(r.get(c.key), c.kind) for c in cols] for r in t.rows],
            )
        )
    for note in dashboard.notes[1:]:
        story.append(_p(note))
    return _doc("AI readiness", story)
