"""A tiny SVG plotter for the report: horizontal bars with whiskers, and log-log lines.

Dependency-free and deterministic (the same figures give the same bytes: fixed number
formats, no ids from counters or clocks), so a report can be diffed and tested. Every
text is escaped. Each drawn datum carries class `mark`, which the browser test counts to
prove a plot is not empty.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bridgebench.report.fmt import esc

CHAR_W = 6.8  # average advance of a 12 px sans-serif character, for layout only
ROW = 20
AXIS_H = 40
TITLE_H = 26
GRID = "#e3e6ea"
INK = "#2b2f36"
MUTED = "#6b7280"

Format = Callable[[float], str]


def _f(x: float) -> str:
    """A coordinate: one decimal, never '-0.0'."""
    text = f"{x:.1f}"
    return "0.0" if text == "-0.0" else text


def _text(x: float, y: float, body: str, anchor: str = "start", cls: str = "") -> str:
    extra = f' class="{cls}"' if cls else ""
    return f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}"{extra}>{esc(body)}</text>'


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" role="img" '
        f'width="{_f(width)}" height="{_f(height)}" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'aria-label="{esc(title)}">'
    )
    return "\n".join([head, f"<title>{esc(title)}</title>", *body, "</svg>"])


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round linear ticks from 0 to at least `top`: steps of 1, 2 or 5 times 10^k."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    base = 10 ** math.floor(math.log10(raw))
    step = next(m * base for m in (1, 2, 5, 10) if m * base >= raw)
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(round(ticks[-1] + step, 12))
    return ticks


def decades(low: float, high: float) -> list[float]:
    """Powers of ten covering [low, high] (both > 0)."""
    first = math.floor(math.log10(low))
    last = math.ceil(math.log10(high))
    if last == first:
        last += 1
    return [10.0**k for k in range(first, last + 1)]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    color: str
    lo: float | None = None  # whisker, e.g. the 95 % CI
    hi: float | None = None
    note: str = ""  # text after the bar: the value, a flag mark
    group: str = ""  # a heading row starts wherever the group changes (e.g. "Rust side")


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    axis_label: str,
    tick_format: Format,
    log: bool | None = None,
    width: float = 720,
) -> str:
    """Horizontal bars, one row each, with whiskers; a log axis when `log`, or (None)
    when the values span more than 50 times, so the small ones stay visible."""
    values = [b.value for b in bars] + [b.hi for b in bars if b.hi is not None]
    positive = [v for v in values + [b.lo for b in bars if b.lo] if v and v > 0]
    if log is None:
        log = bool(positive) and max(positive) / min(positive) > 50
    label_w = max((len(b.label) for b in bars), default=4) * CHAR_W + 14
    note_w = max((len(b.note) for b in bars), default=0) * CHAR_W + 12
    plot_w = max(width - label_w - note_w - 10, 120)
    if log and positive:
        ticks = decades(min(positive), max(positive))
        lo_l, hi_l = math.log10(ticks[0]), math.log10(ticks[-1])

        def x_of(v: float) -> float:
            v = max(v, ticks[0])
            return label_w + (math.log10(v) - lo_l) / (hi_l - lo_l) * plot_w
    else:
        ticks = nice_ticks(max(values, default=1.0) * 1.02)

        def x_of(v: float) -> float:
            return label_w + max(v, 0.0) / ticks[-1] * plot_w

    rows: list[tuple[str, Bar | None]] = []
    group = None
    for b in bars:
        if b.group and b.group != group:
            rows.append((b.group, None))
        group = b.group
        rows.append((b.label, b))
    plot_h = len(rows) * ROW
    height = TITLE_H + plot_h + AXIS_H
    body = [_text(0, 16, title, cls="title")]
    base_x = label_w if not log else x_of(ticks[0])
    for t in ticks:
        x = x_of(t)
        body.append(
            f'<line x1="{_f(x)}" y1="{TITLE_H}" x2="{_f(x)}" y2="{_f(TITLE_H + plot_h)}" '
            f'stroke="{GRID}"/>'
        )
        body.append(_text(x, TITLE_H + plot_h + 14, tick_format(t), "middle", "tick"))
    body.append(_text(label_w + plot_w / 2, TITLE_H + plot_h + 32, axis_label, "middle", "axis"))
    for i, (label, bar) in enumerate(rows):
        y = TITLE_H + i * ROW
        if bar is None:
            body.append(_text(0, y + 14, label, cls="group"))
            continue
        body.append(_text(label_w - 8, y + 14, label, "end"))
        x1 = x_of(bar.value)
        tip = f"{bar.label}: {bar.note}".strip(": ")
        body.append(
            f'<rect class="mark bar" x="{_f(base_x)}" y="{_f(y + 4)}" '
            f'width="{_f(max(x1 - base_x, 1.0))}" height="{ROW - 8}" fill="{esc(bar.color)}">'
            f"<title>{esc(tip)}</title></rect>"
        )
        end = x1
        if bar.lo is not None and bar.hi is not None:
            a, c, mid = x_of(bar.lo), x_of(bar.hi), y + ROW / 2
            end = max(end, c)
            body.append(
                f'<path class="whisker" d="M{_f(a)} {_f(mid)}H{_f(c)}M{_f(a)} {_f(mid - 4)}'
                f'V{_f(mid + 4)}M{_f(c)} {_f(mid - 4)}V{_f(mid + 4)}" stroke="{INK}" '
                'fill="none"/>'
            )
        body.append(_text(end + 6, y + 14, bar.note, cls="note"))
    body.append(
        f'<line x1="{_f(base_x)}" y1="{TITLE_H}" x2="{_f(base_x)}" '
        f'y2="{_f(TITLE_H + plot_h)}" stroke="{MUTED}"/>'
    )
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class Line:
    name: str
    points: Sequence[tuple[float, float]]
    color: str
    dashed: bool = False
    emphasis: bool = False  # the reference: drawn thicker
    # extra labelled markers on the line, e.g. the crossover with pure Python: (x, y, tip)
    marks: Sequence[tuple[float, float, str]] = field(default_factory=tuple)


def loglog_chart(
    lines: Sequence[Line],
    *,
    title: str,
    x_label: str,
    y_label: str,
    x_format: Format,
    y_format: Format,
    width: float = 720,
    height: float = 300,
) -> str:
    """Lines with point markers on log-log axes, decade ticks and a legend on the right.
    Points at or below 0 cannot sit on a log axis and are left out (say so nearby)."""
    drawn = [(line, [(x, y) for x, y in line.points if x > 0 and y > 0]) for line in lines]
    drawn = [(line, pts) for line, pts in drawn if pts]
    xs = [x for _, pts in drawn for x, _ in pts] or [1.0, 10.0]
    ys = [y for _, pts in drawn for _, y in pts] or [1.0, 10.0]
    x_ticks, y_ticks = decades(min(xs), max(xs)), decades(min(ys), max(ys))
    y_label_w = max(len(y_format(t)) for t in y_ticks) * CHAR_W + 30
    legend_w = max((len(line.name) for line, _ in drawn), default=4) * CHAR_W + 34
    left, right = y_label_w, width - legend_w - 10
    height = max(height, TITLE_H + 16 * len(drawn) + AXIS_H)
    top, bottom = TITLE_H + 6, height - AXIS_H

    def sx(x: float) -> float:
        lo, hi = math.log10(x_ticks[0]), math.log10(x_ticks[-1])
        return left + (math.log10(x) - lo) / (hi - lo) * (right - left)

    def sy(y: float) -> float:
        lo, hi = math.log10(y_ticks[0]), math.log10(y_ticks[-1])
        return bottom - (math.log10(y) - lo) / (hi - lo) * (bottom - top)

    body = [_text(0, 16, title, cls="title")]
    for t in x_ticks:
        body.append(
            f'<line x1="{_f(sx(t))}" y1="{_f(top)}" x2="{_f(sx(t))}" y2="{_f(bottom)}" '
            f'stroke="{GRID}"/>'
        )
        body.append(_text(sx(t), bottom + 14, x_format(t), "middle", "tick"))
    for t in y_ticks:
        body.append(
            f'<line x1="{_f(left)}" y1="{_f(sy(t))}" x2="{_f(right)}" y2="{_f(sy(t))}" '
            f'stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, sy(t) + 4, y_format(t), "end", "tick"))
    body.append(
        f'<path d="M{_f(left)} {_f(top)}V{_f(bottom)}H{_f(right)}" stroke="{MUTED}" fill="none"/>'
    )
    body.append(_text((left + right) / 2, bottom + 32, x_label, "middle", "axis"))
    mid = (top + bottom) / 2
    body.append(
        f'<text x="12" y="{_f(mid)}" text-anchor="middle" class="axis" '
        f'transform="rotate(-90 12 {_f(mid)})">{esc(y_label)}</text>'
    )
    for i, (line, pts) in enumerate(drawn):
        dash = ' stroke-dasharray="5 3"' if line.dashed else ""
        stroke_w = 2.6 if line.emphasis else 1.6
        d = "M" + "L".join(f"{_f(sx(x))} {_f(sy(y))}" for x, y in pts)
        body.append(f'<g class="series"><title>{esc(line.name)}</title>')
        body.append(
            f'<path class="mark line" d="{d}" stroke="{esc(line.color)}" '
            f'stroke-width="{stroke_w}" fill="none"{dash}/>'
        )
        for x, y in pts:
            body.append(
                f'<circle class="mark" cx="{_f(sx(x))}" cy="{_f(sy(y))}" r="2.6" '
                f'fill="{esc(line.color)}"><title>{esc(line.name)}: n = {esc(x_format(x))}, '
                f"{esc(y_format(y))}</title></circle>"
            )
        for x, y, tip in line.marks:
            if x > 0 and y > 0 and x_ticks[0] <= x <= x_ticks[-1]:
                cx, cy = sx(x), sy(y)
                body.append(
                    f'<path class="mark crossover" d="M{_f(cx)} {_f(cy - 6)}L{_f(cx + 6)} '
                    f'{_f(cy)}L{_f(cx)} {_f(cy + 6)}L{_f(cx - 6)} {_f(cy)}Z" '
                    f'fill="#fff" stroke="{esc(line.color)}" stroke-width="2">'
                    f"<title>{esc(tip)}</title></path>"
                )
        body.append("</g>")
        ly = top + 4 + i * 16
        body.append(
            f'<line x1="{_f(right + 14)}" y1="{_f(ly)}" x2="{_f(right + 34)}" y2="{_f(ly)}" '
            f'stroke="{esc(line.color)}" stroke-width="{stroke_w}"{dash}/>'
        )
        body.append(_text(right + 40, ly + 4, line.name, cls="legend"))
    return _svg(width, height, title, body)
