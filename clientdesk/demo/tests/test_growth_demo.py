"""The demo's growth data: held programs from the book's growth truth, leads with their
status back, an RFP mostly answered from the library, vendor deals with savings."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from clientdesk.demo.growth import QUESTIONNAIRE, load_growth_demo
from clientdesk.growth.models import (
    Holding,
    Lead,
    LeadStatus,
    Opportunity,
    RfpQuestion,
    VendorContract,
)
from clientdesk.people.roles import Role
from clientdesk.testing import Cast, make_user

pytestmark = pytest.mark.django_db


def test_the_demo_fills_every_growth_page(cast: Cast, tmp_path: Path) -> None:
    (tmp_path / "growth_truth.json").write_text(
        json.dumps(
            {
                "programs": [
                    {"account": "G100001", "program": "eap", "held": True, "would_pay": False}
                ]
            }
        )
    )
    users = {"manager": cast.mia, "sales": make_user("sales", Role.SALES, "Sofia", "Marquez")}
    now = dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC)
    said: list[str] = []
    load_growth_demo(tmp_path, users, today=timezone.localdate(now), now=now, say=said.append)
    assert Holding.objects.get(account=cast.acme, product__code="eap").status == "held"
    assert Opportunity.objects.filter(
        kind="renewal", account=cast.acme
    ).exists()  # renews 2027-01-01
    assert Lead.objects.count() == 6
    assert set(Lead.objects.values_list("status", flat=True)) == {
        LeadStatus.CONVERTED,
        LeadStatus.CONTACTED,
        LeadStatus.ACCEPTED,
        LeadStatus.REJECTED,
        LeadStatus.PASSED,
    }
    answered = RfpQuestion.objects.exclude(answer="").filter(from_library__isnull=False).count()
    assert answered == len(QUESTIONNAIRE) - 1  # all but the litigation question
    assert VendorContract.objects.count() == 2
    assert said and said[0].startswith("growth: 1 programs held")
    load_growth_demo(tmp_path, users, today=timezone.localdate(now), now=now, say=said.append)
    assert Lead.objects.count() == 6  # a second run adds nothing
