"""The health history as a small inline SVG line (no script, nothing fetched)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from clientdesk.strategy.models import HealthSnapshot

WIDTH, HEIGHT, PAD = 640, 160, 24


def history_svg(snapshots: Sequence[HealthSnapshot]) -> SafeString:
    points = [(s.day, s.score) for s in snapshots if s.score is not None]
    if not points:
        return mark_safe("")
    first, last = points[0][0], points[-1][0]
    span = max(1, (last - first).days)

    def x(day_offset: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * day_offset / span

    def y(score: int) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * score / 100

    line = " ".join(f"{x((d - first).days):.1f},{y(s):.1f}" for d, s in points)
    bands = "".join(
        f'<rect x="{PAD}" y="{y(top):.1f}" width="{WIDTH - 2 * PAD}" '
        f'height="{y(bottom) - y(top):.1f}" fill="{fill}"/>'
        for top, bottom, fill in ((100, 75, "#e6f4ea"), (75, 50, "#fef7e0"), (50, 0, "#fce8e6"))
    )
    label = escape(
        f"Health score from {first:%b %-d, %Y} ({points[0][1]}) to {last:%b %-d, %Y} "
        f"({points[-1][1]})"
    )
    svg = (
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}" class="health-chart">'
        f"{bands}"
        f'<polyline points="{line}" fill="none" stroke="currentColor" stroke-width="2"/>'
        f'<text x="{PAD}" y="{HEIGHT - 6}" font-size="11">{first:%b %-d, %Y}</text>'
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" font-size="11" text-anchor="end">'
        f"{last:%b %-d, %Y}</text></svg>"
    )
    return mark_safe(svg)  # noqa: S308  (built from numbers, dates and escaped text)
