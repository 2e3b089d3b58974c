"""Who reads the lake: a user gets their scope, a system actor is named, and an aggregate read
answers cells of at least 11 members, never rows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from clientdesk.lake import gateway
from clientdesk.lake.gateway import (
    AGGREGATE,
    LakeError,
    Scope,
    SystemActor,
    open_aggregates,
    open_lake,
    prepare_derived,
    require_person,
    require_system,
)
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.tests.lakefiles import medical_row, write_csv
from clientdesk.lib.small_cells import Aggregate, Cell
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def ten_and_eleven(cast: Cast, tmp_path: Path) -> Cast:
    """Acme: 10 members (P0-P9) with one 10.00 claim each; Bayside: 11 members (Q0-Q10) with
    one 5.00 claim each."""
    rows = [
        medical_row(claim_id=f"A{i}", person_id=f"P{i}", member_id=f"M{i}", paid_amount="10.00")
        for i in range(10)
    ] + [
        medical_row(
            claim_id=f"B{i}",
            person_id=f"Q{i}",
            member_id=f"N{i}",
            group_id="G100002",
            paid_amount="5.00",
        )
        for i in range(11)
    ]
    ingest_files("medical_claim", [write_csv(tmp_path / "c.csv", rows)], acting_user=None)
    return cast


def test_an_aggregate_read_suppresses_cells_under_11_members(ten_and_eleven: Cast) -> None:
    cast = ten_and_eleven
    # Alice works Acme only; the aggregate read is over the whole book, in cells.
    with open_aggregates(cast.alice, purpose="test") as lake:
        assert (lake.kind, lake.scope.account_ids) == (AGGREGATE, None)
        t = lake.medical_claim
        acme = t.filter(t.account_id == cast.acme.pk)
        bayside = t.filter(t.account_id == cast.bayside.pk)
        cells = lake.aggregate(
            {
                "acme paid": (acme.paid_amount.sum(), acme.person_id.nunique()),
                "bayside paid": (bayside.paid_amount.sum(), bayside.person_id.nunique()),
                "book paid": (t.paid_amount.sum(), t.person_id.nunique()),
            }
        )
        # 10 members x 10.00 = 100.00: suppressed (value and count withheld, not rounded);
        # 11 members x 5.00 = 55.00: shown exactly; the book: 21 members, 155.00.
        assert cells == {
            "acme paid": Cell(None, None, True),
            "bayside paid": Cell(Decimal("55.00"), 11, False),
            "book paid": Cell(Decimal("155.00"), 21, False),
        }
        # Rows never come out of an aggregate read.
        with pytest.raises(LakeError, match="cells, not rows"):
            lake.execute(t.select("person_id", "paid_amount"))
        with pytest.raises(LakeError, match="two scalars"):
            lake.aggregate({"rows": (t.paid_amount, t.person_id.nunique())})
        with pytest.raises(LakeError, match="not a cell"):
            lake.aggregate_with(lambda full: {"rows": full.execute(full.medical_claim)})
        # A computed aggregate read: the same rule.
        computed = lake.aggregate_with(
            lambda full: {
                "acme claims": Aggregate(10, 10),
                "bayside claims": Aggregate(11, 11),
            }
        )
        assert computed == {
            "acme claims": Cell(None, None, True),
            "bayside claims": Cell(11, 11, False),
        }


def test_a_person_reads_their_scope_and_narrowing_never_widens_it(ten_and_eleven: Cast) -> None:
    cast = ten_and_eleven

    def people(lake: gateway.Lake) -> int:
        return int(lake.execute(lake.medical_claim.person_id.nunique()))

    with open_lake(cast.alice) as lake:
        assert (lake.scope.account_ids, people(lake)) == ((cast.acme.pk,), 10)
    with open_lake(cast.alice, accounts=[cast.bayside]) as lake:  # not hers: nothing
        assert (lake.scope.account_ids, people(lake)) == ((), 0)
    with open_lake(cast.mia, accounts=[cast.bayside]) as lake:  # a manager, narrowed
        assert people(lake) == 11
    with open_lake(SystemActor("nightly test job")) as lake:
        assert (lake.scope.account_ids, people(lake)) == (None, 21)
        assert lake.scope.label == "system: nightly test job: all accounts"


def test_there_is_no_scope_to_pass_and_a_system_job_refuses_a_user(cast: Cast) -> None:
    every = Scope(None, "every account")
    with pytest.raises(TypeError, match="not a scope"):
        open_lake(every)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a scope"):
        open_aggregates(every, purpose="x")  # type: ignore[arg-type]
    assert not hasattr(Scope, "all")
    # A user passed for a system job is refused before anything is read.
    with pytest.raises(TypeError, match="preparing derived tables is a system job"):
        prepare_derived(cast.mia)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="is a system job"):
        require_system(cast.ada, "the guarantee evaluation")
    assert require_system(SystemActor("clock"), "x") == SystemActor("clock")
    # A system actor passed where a person's request reads is refused the same way.
    with pytest.raises(TypeError, match="takes the requesting user"):
        require_person(SystemActor("guarantee evaluation"))
    with pytest.raises(ValueError, match="named for its job"):
        SystemActor("  ")
    with pytest.raises(ValueError, match="says what it is for"):
        open_aggregates(cast.alice, purpose=" ")


def test_aggregates_are_numbers_over_members() -> None:
    with pytest.raises(TypeError, match="a number, not DataFrame"):
        Aggregate(pd.DataFrame({"person_id": ["P1"]}), 11)
    with pytest.raises(TypeError, match="count of people"):
        Aggregate(Decimal("1"), 11.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="over no members"):
        Aggregate(Decimal("12.50"), 0)
    assert Aggregate(None, 0).members == 0
