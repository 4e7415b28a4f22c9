"""A policy's body as safe HTML: plain text with a few Markdown-like marks, everything escaped.

- a blank line separates paragraphs; a single line break stays a line break;
- a line starting with ``# `` is a heading (``<h2>``), ``## `` a sub-heading (``<h3>``);
- consecutive lines starting with ``- `` or ``* `` form a bullet list;
- ``**words**`` is bold.

No HTML from the text is ever passed through, and there are no links (a policy links nowhere
unexpected)."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", escape(text))


def render_policy_text(text: str) -> SafeString:
    blocks: list[str] = []
    paragraph: list[str] = []
    bullets: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if bullets:
            blocks.append("<ul>" + "".join(f"<li>{_inline(b)}</li>" for b in bullets) + "</ul>")
            bullets.clear()

    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            blocks.append(f"<h3>{_inline(line[3:].strip())}</h3>")
        elif line.startswith("# "):
            flush()
            blocks.append(f"<h2>{_inline(line[2:].strip())}</h2>")
        elif line.startswith(("- ", "* ")):
            if paragraph:
                flush()
            bullets.append(line[2:].strip())
        else:
            if bullets:
                flush()
            paragraph.append(line)
    flush()
    return mark_safe("".join(blocks))  # noqa: S308 - every piece of text above is escaped
