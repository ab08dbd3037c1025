"""Bar charts drawn on the server as SVG: they show without JavaScript and load nothing.

Each chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>`,
and pages put the same figures in a table beside it, so a screen reader (or a person who
wants the numbers) reads the table and nobody depends on the picture.

The chart has no viewBox: bar lengths are percentages of the width it is given and text
keeps its size, so labels stay readable on a phone instead of shrinking with the drawing.
Each bar has its label and value written above it. Colours come from presentation
attributes (overridable by CSS classes), never `style=""`, which the site's
Content-Security-Policy forbids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

ROW_HEIGHT = 44
LABEL_BASELINE = 17
BAR_TOP = 23
BAR_HEIGHT = 14
FONT_SIZE = 15
INK = "#1a1a1a"
BAR = "#8a1c00"  # 8.9:1 against white: more than the 3:1 graphics need
# Labels longer than this are shortened on the chart; the table beside it has them whole.
LABEL_CHARS = 40
_ID_RE = re.compile(r"^[a-z][a-z0-9-]{0,40}$")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    # How the value is written beside the label ("42", "37.5 %"); defaults to the value.
    text: str = ""


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def bar_chart(
    *,
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    description: str = "",
    max_value: float | None = None,
) -> SafeString:
    """A horizontal bar chart; an empty string when there is nothing to draw."""
    if not _ID_RE.match(chart_id):
        raise ValueError(f"chart_id must be a short lowercase id, not {chart_id!r}")
    if not bars:
        return mark_safe("")
    top = max_value if max_value else max((b.value for b in bars), default=0)
    height = ROW_HEIGHT * len(bars)
    summary = description or "; ".join(f"{b.label}: {b.text or _number(b.value)}" for b in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" id="{chart_id}" '
        f'width="100%" height="{height}" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>',
    ]
    for index, bar in enumerate(bars):
        y = index * ROW_HEIGHT
        percent = 100 * max(bar.value, 0) / top if top > 0 else 0
        if bar.value > 0:
            # A small non-zero value keeps a visible stub.
            percent = max(percent, 0.5)
        value = escape(bar.text or _number(bar.value))
        parts.append(
            "<g>"
            f'<text class="chart-label" x="0" y="{y + LABEL_BASELINE}" '
            f'font-size="{FONT_SIZE}" fill="{INK}">{escape(_short(bar.label))}'
            f'<tspan class="chart-value" font-weight="700" dx="8">{value}</tspan></text>'
            f'<rect class="chart-bar" x="0" y="{y + BAR_TOP}" width="{percent:.2f}%" '
            f'height="{BAR_HEIGHT}" fill="{BAR}"/>'
            "</g>"
        )
    parts.append("</svg>")
    # Every piece of text above went through escape() and every attribute is a number or a
    # checked id, so the markup is safe to put in a page as it is.
    return mark_safe("".join(parts))  # noqa: S308


__all__ = ["Bar", "bar_chart"]
