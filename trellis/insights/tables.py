"""A dashboard is a list of tables; each table is drawn as a chart (Chart.js, from a JSON data island),
shown as an accessible ``<table>``, exported as CSV and XLSX, served by the API and printed in PDFs.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

PCT = "pct"  # a share 0-1, shown as a percentage
NUM = "num"
TEXT = "text"
HOURS = "hours"
POINTS = "points"


@dataclass
class Column:
    key: str
    label: str
    kind: str = TEXT


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: dict[str, Any] | None = None  # {"type", "x", "series": [keys], "stacked", "horizontal"}
    note: str = ""
    heat: bool = False  # shade PCT cells (the skills heatmap)

    def display(self, value: Any, kind: str) -> str:
        return display(value, kind)

    def body(self) -> list[list[dict[str, Any]]]:
        """Rows of cells ``{"text", "heat"}`` for the template."""
        out = []
        for row in self.rows:
            cells = []
            for c in self.columns:
                v = row.get(c.key)
                cell: dict[str, Any] = {"text": display(v, c.kind), "numeric": c.kind != TEXT}
                if self.heat and c.kind == PCT and isinstance(v, int | float):
                    cell["heat"] = min(4, int(v * 5))
                cells.append(cell)
            out.append(cells)
        return out

    def chart_data(self) -> dict[str, Any] | None:
        """The Chart.js configuration (data and the few options we use)."""
        if not self.chart or not self.rows:
            return None
        by_key = {c.key: c for c in self.columns}
        x = self.chart["x"]
        scale = 100 if any(by_key[s].kind == PCT for s in self.chart["series"]) else 1
        rows = self.rows
        if self.chart.get("drop_empty"):
            rows = [
                r
                for r in rows
                if any(isinstance(r.get(s), int | float) for s in self.chart["series"])
            ]
        datasets = []
        for s in self.chart["series"]:
            col = by_key[s]
            data = []
            for row in rows:
                v = row.get(s)
                data.append(round(v * scale, 1) if isinstance(v, int | float) else None)
            datasets.append({"label": col.label, "data": data})
        return {
            "type": self.chart.get("type", "bar"),
            "labels": [display(row.get(x), by_key[x].kind) for row in rows],
            "datasets": datasets,
            "stacked": bool(self.chart.get("stacked")),
            "horizontal": bool(self.chart.get("horizontal")),
            "unit": "%" if scale == 100 else self.chart.get("unit", ""),
            "title": self.title,
        }


@dataclass
class Dashboard:
    key: str
    title: str
    intro: str
    scope_label: str
    headline: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def display(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if kind == PCT:
        return f"{value * 100:.1f} %"
    if kind == HOURS:
        return f"{value:,.1f} h"
    if kind == POINTS:
        return f"{value:+.1f}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _export_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == PCT and isinstance(value, int | float):
        return round(value * 100, 1)
    return value


def _header(c: Column) -> str:
    return f"{c.label} (%)" if c.kind == PCT else c.label


def table_csv(table: Table) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([_header(c) for c in table.columns])
    for row in table.rows:
        w.writerow([_export_value(row.get(c.key), c.kind) for c in table.columns])
    return buf.getvalue()


def table_xlsx(table: Table) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet(table.key[:31])
    bold = book.add_format({"bold": True})
    for j, c in enumerate(table.columns):
        sheet.write(0, j, _header(c), bold)
        sheet.set_column(j, j, max(12, min(40, len(c.label) + 4)))
    for i, row in enumerate(table.rows, start=1):
        for j, c in enumerate(table.columns):
            v = _export_value(row.get(c.key), c.kind)
            if isinstance(v, int | float) and not isinstance(v, bool):
                sheet.write_number(i, j, v)
            else:
                sheet.write_string(i, j, str(v))
    book.close()
    return buf.getvalue()
