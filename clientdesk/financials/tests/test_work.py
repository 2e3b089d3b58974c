"""The home page's "Accounts losing money" list: stored P&L months computed by hand, for the
margin roles only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from clientdesk.financials.models import PnlMonth
from clientdesk.financials.panels import losing_work
from clientdesk.lib import formatting
from clientdesk.lib.work import WORK_LISTS
from clientdesk.testing import Cast

D = Decimal
JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)


def test_accounts_losing_money_for_managers_only(cast: Cast) -> None:
    a, b = cast.acme, cast.bayside
    PnlMonth.objects.bulk_create(
        [
            # acme, self-funded: Jan 10,000 fees - 6,000 = +4,000; Feb 10,000 - 15,000 =
            # -5,000: margin -1,000 on 20,000 (-5.0 %); stop-loss claims 14,000 > premium 0.
            PnlMonth(account=a, month=JAN, funding="aso", admin_fees=D(10_000),
                     stop_loss_claims=D(2_000), vendor=D(1_000), admin_expense=D(3_000)),
            PnlMonth(account=a, month=FEB, funding="aso", admin_fees=D(10_000),
                     stop_loss_claims=D(12_000), admin_expense=D(3_000)),
            # bayside, fully insured: 50,000 premium - 35,000 claims - 1,250 - 4,000 = +9,750.
            PnlMonth(account=b, month=JAN, funding="fully_insured", premium=D(50_000),
                     paid_claims=D(30_000), ibnr=D(5_000), premium_taxes=D(1_250),
                     admin_expense=D(4_000)),
        ]
    )  # fmt: skip
    now = timezone.now()
    work = losing_work(cast.mia, now)
    assert work is not None and work.total == 1
    (item,) = work.items
    assert item.title == a.name
    margin = f"Margin {formatting.money(-1_000, 0)} ({formatting.percent(-5)})"
    assert item.detail == f"{margin} · stop-loss claims $14,000 over stop-loss premium $0"
    assert not item.urgent  # -5 %: not below -10 %
    assert item.url == reverse("accounts:tab", args=[a.pk, "financials"])
    # Portfolio: margin 8,750 on 70,000 revenue.
    assert work.summary.startswith("Margin $8,750 on revenue $70,000 over 2 accounts")
    # Associates (even acme's own) never get the list; executives and admins do.
    assert losing_work(cast.alice, now) is None
    assert losing_work(cast.eve, now) is not None
    # Registered for the home page (which lays out every list its reader has).
    assert WORK_LISTS._builders["financials.losing"].build is losing_work


def test_a_losing_account_raises_a_margin_free_review_call_for_a_manager(cast: Cast) -> None:
    from clientdesk.financials.panels import REVIEW_RULE, financial_review
    from clientdesk.lib.calls import CALL_RULES

    a, b = cast.acme, cast.bayside
    PnlMonth.objects.bulk_create(
        [
            # acme loses 1,000 over Jan-Feb 2026 (as above); bayside makes 9,750.
            PnlMonth(account=a, month=JAN, funding="aso", admin_fees=D(10_000),
                     stop_loss_claims=D(2_000), vendor=D(1_000), admin_expense=D(3_000)),
            PnlMonth(account=a, month=FEB, funding="aso", admin_fees=D(10_000),
                     stop_loss_claims=D(12_000), admin_expense=D(3_000)),
            PnlMonth(account=b, month=JAN, funding="fully_insured", premium=D(50_000),
                     paid_claims=D(30_000), ibnr=D(5_000), premium_taxes=D(1_250),
                     admin_expense=D(4_000)),
        ]
    )  # fmt: skip
    now = dt.datetime(2026, 3, 10, 15, tzinfo=dt.UTC)
    (cause,) = financial_review(now)
    assert cause.account_id == a.pk
    assert cause.key == "review:2026"
    assert cause.owner_id == cast.mia.pk  # the manager, not alice (acme's lead associate)
    assert cause.due == dt.date(2026, 4, 9)
    assert cause.url == reverse("accounts:tab", args=[a.pk, "financials"])
    assert cause.reason == (
        "The account's financial results for Jan 2026 to Feb 2026 need a manager's review "
        "before the next pricing decision; the figures are on the Financials tab."
    )
    rule = CALL_RULES.get(REVIEW_RULE)
    assert rule is not None and rule.find is financial_review
    # Associates read the call on the account: nothing in it says margin, loss or money.
    words = " ".join([rule.title, cause.reason, *rule.playbook]).lower()
    for secret in ("margin", "loss", "losing", "$", "%", "1,000", "revenue", "mlr"):
        assert secret not in words, secret
    # Without an active manager the call falls to the account's lead, in the same words.
    cast.mia.is_active = False
    cast.mia.save()
    assert [c.owner_id for c in financial_review(now)] == [None]
    # A lost account is not called about.
    a.status = "terminated"
    a.save()
    assert list(financial_review(now)) == []
