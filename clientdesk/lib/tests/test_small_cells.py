"""The small-cell rule: figures about 1 to 10 members are withheld, not rounded."""

from __future__ import annotations

from decimal import Decimal

from clientdesk.lib.small_cells import (
    MIN_CELL_MEMBERS,
    Aggregate,
    Cell,
    is_small_cell,
    shown_count,
    suppress,
    suppress_all,
)


def test_the_boundary_is_11_members_and_zero_is_not_small() -> None:
    assert MIN_CELL_MEMBERS == 11
    assert [is_small_cell(n) for n in (None, 0, 1, 10, 11, 12)] == [
        False,
        False,
        True,
        True,
        False,
        False,
    ]
    assert [shown_count(n) for n in (None, 0, 1, 10, 11)] == [None, 0, "<11", "<11", 11]


def test_a_suppressed_cell_withholds_value_and_count_never_rounds() -> None:
    # 10 members who paid 1,234.56 in all: nothing of it comes out; 11: all of it, exactly.
    assert suppress(Aggregate(Decimal("1234.56"), 10)) == Cell(None, None, True)
    assert suppress(Aggregate(Decimal("1234.56"), 11)) == Cell(Decimal("1234.56"), 11, False)
    assert suppress(Aggregate(None, 0)) == Cell(None, 0, False)
    assert suppress_all({"a": Aggregate(3, 3), "b": Aggregate(40, 40)}) == {
        "a": Cell(None, None, True),
        "b": Cell(40, 40, False),
    }
