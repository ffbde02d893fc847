"""Bar charts as inline SVG strings, drawn in Python.

The brief must open on an office computer without network access and print
the same everywhere, so no JavaScript chart library and no external file:
the chart is plain SVG text inside the HTML. Every label is XML-escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

FONT_STACK = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', SimSun, sans-serif"
)
AXIS = "#666666"
GRID = "#DDDDDD"


def _nice_max(value: float) -> float:
    """A round axis maximum a little above the largest value (1, 2, 2.5, 5 × 10^k)."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * exp >= value * 1.05:
            return step * exp
    return 10 * exp


def _text(
    x: float, y: float, text: str, size: int = 12, anchor: str = "middle", **attrs: str
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>'
        f"{escape(text)}</text>"
    )


def grouped_bars(
    categories: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    value_label: Callable[[float], str],
    notes: Sequence[str] | None = None,
    width: int = 380,
    height: int = 260,
    title: str = "",
) -> str:
    """Vertical bars, one group per category, one bar per series (name, colour, values).

    `notes` are printed under each category label (e.g. the ratio of the group).
    """
    left, right, top, bottom = 40, 10, 34, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, _, vals in series for v in vals if v is not None]
    vmax = _nice_max(max(values, default=0.0))
    parts = [
        f'<svg viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="{escape(FONT_STACK)}">'
    ]
    for i in range(5):
        tick = vmax * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(_text(left - 4, y + 4, f"{tick:g}", 10, "end", fill=AXIS))
    group_w = plot_w / max(len(categories), 1)
    bar_w = min(34.0, group_w * 0.7 / max(len(series), 1))
    for c, cat in enumerate(categories):
        x0 = left + c * group_w + (group_w - bar_w * len(series)) / 2
        for s, (_, colour, vals) in enumerate(series):
            v = vals[c]
            x = x0 + s * bar_w
            if v is None:
                parts.append(_text(x + bar_w / 2, top + plot_h - 4, "—", 10, fill=AXIS))
                continue
            h = plot_h * v / vmax
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" '
                f'height="{h:.1f}" fill="{colour}"/>'
            )
            parts.append(_text(x + bar_w / 2, top + plot_h - h - 3, value_label(v), 10))
        cx = left + c * group_w + group_w / 2
        parts.append(_text(cx, top + plot_h + 16, cat, 12))
        if notes and c < len(notes) and notes[c]:
            parts.append(_text(cx, top + plot_h + 32, notes[c], 11, fill="#8B0000"))
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{AXIS}"/>'
    )
    lx = left
    for name, colour, _ in series:
        parts.append(f'<rect x="{lx}" y="8" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(lx + 16, 18, name, 11, "start"))
        lx += 20 + 12 * len(name) + 14
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    value_label: Callable[[float], str],
    colours: Sequence[str],
    vmax: float = 1.0,
    width: int = 380,
    bar_h: int = 26,
    title: str = "",
) -> str:
    """One horizontal bar per label on a fixed scale (rates: 0–100%)."""
    left, right, top = 78, 56, 10
    height = top + bar_h * len(labels) + 24
    plot_w = width - left - right
    parts = [
        f'<svg viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="{escape(FONT_STACK)}">'
    ]
    for i in range(5):
        x = left + plot_w * i / 4
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + bar_h * len(labels)}" '
            f'stroke="{GRID}"/>'
        )
        parts.append(
            _text(x, top + bar_h * len(labels) + 14, value_label(vmax * i / 4), 10, fill=AXIS)
        )
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = top + i * bar_h
        parts.append(_text(left - 6, y + bar_h / 2 + 4, label, 12, "end"))
        if v is None:
            parts.append(_text(left + 4, y + bar_h / 2 + 4, "—", 11, "start", fill=AXIS))
            continue
        w = plot_w * max(0.0, min(v, vmax)) / vmax
        colour = colours[i % len(colours)]
        parts.append(
            f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{bar_h - 8}" fill="{colour}"/>'
        )
        parts.append(_text(left + w + 4, y + bar_h / 2 + 4, value_label(v), 11, "start"))
    parts.append("</svg>")
    return "".join(parts)
