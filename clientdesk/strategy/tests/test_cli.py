"""`clientdesk cta run`, `clientdesk health snapshot` and `clientdesk health backtest`."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from clientdesk.inquiries.actions import do_raise_escalation
from clientdesk.lib.calls import CALL_RULES, CallRule, Cause
from clientdesk.strategy.actions import do_set_weights
from clientdesk.strategy.models import CallToAction
from clientdesk.strategy.scoring import RULES
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def _two_measures(c: Cast) -> None:
    weights = dict.fromkeys(RULES, 0) | {"open_escalations": 10, "days_to_renewal": 5}
    do_set_weights("", weights, acting_user=c.mia)


def test_cta_run_runs_other_apps_rules_once_per_cause(cast: Cast) -> None:
    rule = CallRule(
        "other_app_rule",
        "A detractor to call back",
        ("Call the respondent", "Log the call"),
        lambda now: [Cause(account_id=cast.acme.pk, key="response:1", reason="Scored 3.")],
    )
    CALL_RULES.register(rule)
    try:
        out = StringIO()
        call_command("cta", "run", "--format", "json", stdout=out)
        first = json.loads(out.getvalue())
        assert first["by_rule"]["other_app_rule"] == {"causes": 1, "opened": 1, "updated": 0}
        out = StringIO()
        call_command("cta", "run", "--format", "json", stdout=out)
        assert json.loads(out.getvalue())["by_rule"]["other_app_rule"]["updated"] == 1
    finally:
        CALL_RULES.unregister("other_app_rule")
    call = CallToAction.objects.get(rule_key="other_app_rule")
    assert call.owner == cast.alice and [t.text for t in call.tasks.all()] == [
        "Call the respondent",
        "Log the call",
    ]


def test_health_snapshot_command(cast: Cast) -> None:
    _two_measures(cast)
    out = StringIO()
    call_command("health", "snapshot", "--as-of", "2026-12-01", "--format", "json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["accounts"], result["scored"]) == (2, 2)


def test_backtest_scores_renewals_90_days_ahead(cast: Cast, tmp_path: Path) -> None:
    _two_measures(cast)
    with time_machine.travel(dt.datetime(2026, 9, 1, 16, tzinfo=dt.UTC), tick=False):
        do_raise_escalation(
            cast.acme,
            {"title": "Backlog", "reason": "Late.", "severity": "high", "owner": cast.mia},
            acting_user=cast.mia,
        )
    truth = tmp_path / "ground_truth.json"
    truth.write_text(
        json.dumps(
            {
                "renewal_outcomes": [
                    {
                        "account": "G100001",
                        "renewal_date": "2027-01-01",
                        "outcome": "rfp",
                        "p_lost": 0.2,
                        "drivers_logit": 4.0,
                        "drivers": {
                            "guarantee_misses": 0,
                            "service_failures": 0,
                            "cost_trend": 0.06,
                            "disengaged": True,
                        },
                    },
                    {
                        "account": "G100002",
                        "renewal_date": "2026-07-01",
                        "outcome": "renewed",
                        # A truth likelier to lose Bayside: the ceiling says so (0.0).
                        "p_lost": 0.3,
                        "drivers_logit": 2.9,
                        "drivers": {
                            "guarantee_misses": 0,
                            "service_failures": 1,
                            "cost_trend": 0.10,
                            "disengaged": False,
                        },
                    },
                    {"account": "G999999", "renewal_date": "2026-07-01", "outcome": "lapsed"},
                ]
            }
        )
    )
    out = StringIO()
    call_command(
        "health", "backtest", "--truth", str(truth), "--format", "json", "--rows", stdout=out
    )
    result = json.loads(out.getvalue())
    # Acme on Oct 3: one escalation (50), 90 days to renewal (48.6): 49.5 -> 50, poor.
    # Bayside on Apr 2: none (100), 90 days (48.6): 82.9 -> 83.
    scores = {r["account"]: (r["score"], r["band"]) for r in result["rows"]}
    assert scores == {"G100001": (50, "poor"), "G100002": (83, "good")}
    assert result["auc"] == 1.0 and result["lost_in_lowest_band"] == 1.0
    assert result["accounts_missing"] == 1 and result["renewals"] == 2
    # The truth's own figures as predictors: Acme's drivers' log-odds (disengaged: 4.0)
    # outweigh Bayside's (one failure 2.5 + trend 10 x 4 % = 2.9), its p_lost does not.
    assert (result["auc_drivers_known"], result["auc_p_lost"]) == (1.0, 0.0)
    # Expected over the draws: Acme lost and Bayside kept, 0.2 x 0.7 = 0.14, Acme lower: won;
    # Bayside lost and Acme kept, 0.3 x 0.8 = 0.24, Bayside higher: lost. 0.14 / 0.38.
    assert result["auc_expected"] == round(0.14 / 0.38, 4) == 0.3684
    text = StringIO()
    call_command("health", "backtest", "--truth", str(truth), stdout=text)
    assert text.getvalue().strip() == (
        "2 renewals scored 90 days ahead, 1 lost: AUC 1.000 (expected over the outcome's "
        "draws 0.368); lost accounts in the poor band 100%."
    )
    # Each measure alone: escalations tell them apart, renewal proximity (90 days each) ties.
    assert result["measures"] == {
        "days_to_renewal": {"auc": 0.5, "renewals": 2},
        "open_escalations": {"auc": 1.0, "renewals": 2},
    }
