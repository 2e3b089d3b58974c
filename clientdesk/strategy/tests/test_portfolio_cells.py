"""The portfolio's heat-map cells are written in Python (views.heat_cells) and read as the
template loop that drew them did, at the band edges and for a missing measure."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template

from clientdesk.accounts.models import Account
from clientdesk.strategy.models import HealthSnapshot
from clientdesk.strategy.queries import PortfolioRow
from clientdesk.strategy.views import heat_cells

# The loop as portfolio.html wrote it before.
LOOP = Template(
    '{% for c in cells %}<td class="num">{% if c is None %}<span class="muted">—</span>'
    '{% else %}<span class="badge {% if c > 75 %}ok{% elif c > 50 %}warn{% else %}bad{% endif %}'
    '">{{ c|floatformat:0 }}</span>{% endif %}</td>{% endfor %}'
)
SCORES = [0, 0.4, 0.5, 49.5, 50, 50.01, 50.5, 74.5, 75, 75.2, 75.5, 99.49, 99.5, 100, None]


def row(measures: dict[str, dict[str, float | None]] | None) -> PortfolioRow:
    snapshot = None if measures is None else HealthSnapshot(measures=measures, score=60)
    return PortfolioRow(
        account=Account(name="Acme"),
        snapshot=snapshot,
        previous_score=None,
        override=None,
        renewal=dt.date(2027, 1, 1),
    )


def test_cells_read_as_the_template_loop_did() -> None:
    keys = [f"m{n}" for n in range(len(SCORES))] + ["absent"]
    measures = {f"m{n}": {"score": s, "weight": 1.0} for n, s in enumerate(SCORES)}
    cells = [measures.get(k, {}).get("score") for k in keys]
    expected = LOOP.render(Context({"cells": cells}))
    assert str(heat_cells(row(measures), keys)) == expected
    shown: dict[float, str] = {}  # one page's texts, shared by its rows
    assert [str(heat_cells(row(measures), keys, shown)) for _ in range(2)] == [expected] * 2
    assert shown[50] == "50" and shown[0.5] == "1" and shown[99.49] == "99"
    assert expected.count("badge ok") == 5 and expected.count("—") == 2


def test_a_row_without_a_snapshot_is_all_dashes() -> None:
    keys = ["a", "b"]
    assert str(heat_cells(row(None), keys)) == LOOP.render(Context({"cells": [None, None]}))
    assert str(heat_cells(row({}), [])) == ""
