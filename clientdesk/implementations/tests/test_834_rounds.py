"""An eligibility test round from a sponsor's X12 834: loaded through the lake's X12 ingestion
as a test batch, its acceptance report (999/TA1 style) kept and shown on the plan, its pass or
fail derived from it, on the page, the API and the command line. Three small 834s built by hand
below (good, with errors, rejected); every count in the assertions is counted from them."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.implementations.actions import do_create_implementation, do_load_test_file
from clientdesk.implementations.evidence import plan_state
from clientdesk.implementations.models import EligibilityTestRound, Implementation, Template
from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lake.models import IngestBatch
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 12, 4, 17, tzinfo=dt.UTC)


def interchange(*sets: list[str]) -> str:
    """One ISA/GS around the given transaction sets (each its segments between ST and SE)."""
    body = ""
    for number, segments in enumerate(sets, start=1):
        control = f"{number:04d}"
        st = [f"ST*834*{control}*005010X220A1", *segments]
        st.append(f"SE*{len(st) + 1}*{control}")
        body += "".join(s + "~" for s in st)
    return (
        "ISA*00*          *00*          *ZZ*ACME           *ZZ*PAYER          *261201*1200*^*"
        "00501*000000007*0*T*:~GS*BE*ACME*PAYER*20261201*1200*7*X*005010X220A1~"
        + body
        + f"GE*{len(sets)}*7~IEA*1*000000007~"
    )


def header(group: str = "G100001") -> list[str]:
    return [
        "BGN*00*TEST1*20261201*1200****2",
        f"REF*38*{group}",
        "N1*P5*ACME STEEL WORKS*FI*123456789",
        "N1*IN*KEYSTONE*FI*987654321",
    ]


def member(
    member_id: str, name: str, *coverage: str, ins03: str = "021", subscriber: bool = True
) -> list[str]:
    return [
        f"INS*{'Y' if subscriber else 'N'}*{'18' if subscriber else '01'}*{ins03}*28*A",
        f"REF*0F*{member_id if subscriber else 'T1'}",
        f"REF*23*{member_id}",
        f"NM1*IL*1*DOE*{name}",
        "N3*1 MAIN ST",
        "N4*COLUMBUS*OH*43004",
        "DMG*D8*19800101*F",
        *coverage,
    ]


HEALTH = ("HD*021**HLT*PPO*EMP", "DTP*348*D8*20270101")
DENTAL = ("HD*021**DEN*DENTAL*EMP", "DTP*348*D8*20270101")

# Good: T1 (health), T2 (a dependent, health), T3 (health and dental): 3 member records,
# 4 spans, 3 members.
GOOD = interchange(
    [
        *header(),
        *member("T1", "ANN", *HEALTH),
        *member("T2", "BOB", *HEALTH, subscriber=False),
        *member("T3", "CY", *HEALTH, *DENTAL),
    ]
)
# With errors: T1 fine; T2 added with no start date (its span cannot be loaded: no dates);
# T9 terminated with only an end date, and no span of T9 was ever loaded (the change finds
# nothing to end: a member record not loaded). 3 member records, 1 not loaded; 2 spans
# checked, 1 rejected; 1 member loaded.
WITH_ERRORS = interchange(
    [
        *header(),
        *member("T1", "ANN", *HEALTH),
        *member("T2", "BOB", "HD*021**HLT*PPO*EMP"),
        *member("T9", "EVE", "DTP*357*D8*20270131", ins03="024"),
    ]
)
# Rejected: a coverage (HD) before any member, at segment 8 (ISA 1, GS 2, ST 3, BGN 4, REF 5,
# N1 6, N1 7): the set cannot be read; its 2 members are not loaded; nothing loads.
REJECTED = interchange([*header(), *HEALTH, *member("T1", "ANN", *HEALTH), *member("T2", "BOB")])


def _plan(cast: Cast) -> Implementation:
    return do_create_implementation(
        cast.acme,
        name="Acme 2027 install",
        kind="",
        effective_date=dt.date(2027, 1, 1),
        template=Template.objects.get(code="new-self-funded"),
        acting_user=cast.mia,
    )


def _upload(name: str, text: str) -> io.BytesIO:
    upload = io.BytesIO(text.encode("ascii"))
    upload.name = name
    return upload


def _members_in_lake(cast: Cast) -> int:
    with open_lake(SystemActor("834 rounds test"), accounts=[cast.acme.pk]) as lake:
        return int(lake.execute(lake.eligibility.count()))


def test_834_rounds_good_with_errors_rejected(cast: Cast, login: Any) -> None:
    with time_machine.travel(NOON, tick=False):
        implementation = _plan(cast)
        client: Client = login("alice")  # Acme's lead: the account team writes
        url = reverse(
            "implementations:test_file",
            kwargs={"account_id": cast.acme.pk, "implementation_id": implementation.pk},
        )

        # Round 1, with errors, uploaded on the page.
        page = client.post(url, {"file": _upload("acme-834-r1.txt", WITH_ERRORS)}, follow=True)
        text = page.content.decode()
        assert (
            "Test round loaded from acme-834-r1.txt: failed (1 of 3 member records not loaded; "
            "1 of 2 spans rejected). Transaction sets: 0 accepted, 1 accepted with errors, "
            "0 rejected; member records: 3 read, 1 not loaded; spans: 1 loaded, 1 rejected; "
            "1 members loaded."
        ) in text
        first = EligibilityTestRound.objects.get()
        batch = IngestBatch.objects.get()
        assert (first.batch_id, first.source_format, first.members_loaded) == (batch.pk, "x12", 1)
        assert batch.test and (batch.rows_read, batch.rows_loaded, batch.rows_rejected) == (2, 1, 1)
        [tset] = first.report["transaction_sets"]
        assert (tset["status"], tset["records"], tset["rejected_records"]) == (
            "accepted with errors",
            3,
            1,
        )

        # Round 2, rejected: nothing loads, and it is still the plan's (failed) round.
        result = do_load_test_file(
            implementation, REJECTED.encode(), "acme-834-r2.txt", acting_user=cast.alice
        )
        assert result.round is not None and result.round.batch_id is None
        assert result.result.status == "nothing_to_load"
        assert IngestBatch.objects.count() == 1

        # Round 3, good, by the API.
        _, raw = do_create_api_token(cast.alice, "t", acting_user=cast.alice)
        api = Client(headers={"Authorization": f"Bearer {raw}"})
        route = f"/api/implementations/accounts/{cast.acme.pk}/{implementation.pk}/test-rounds"
        answer = api.post(
            route,
            {"file_name": "acme-834-r3.834", "content": GOOD},
            content_type="application/json",
        )
        assert answer.status_code == 201, answer.content
        made = answer.json()["round"]
        assert (made["round"], made["passed"], made["failures"]) == (3, True, [])
        assert made["acceptance"] | {"transaction_sets": None, "envelope_findings": None} == {
            "sets_accepted": 1,
            "sets_accepted_with_errors": 0,
            "sets_rejected": 0,
            "member_records": 3,
            "member_records_not_loaded": 0,
            "spans_loaded": 4,
            "spans_rejected": 0,
            "members_loaded": 3,
            "transaction_sets": None,
            "envelope_findings": None,
        }
        # The same file again: already loaded as a test, no new round.
        again = api.post(
            route,
            {"file_name": "acme-834-r3.834", "content": GOOD},
            content_type="application/json",
        )
        assert again.status_code == 200
        assert again.json()["round"] is None
        assert "already loaded as test batch" in again.json()["message"]

        state = plan_state(implementation, dt.date(2026, 12, 4), reader=cast.alice)
        r1, r2, r3 = state.test_rounds
        # Round 1: spans 1 of 2 accepted (0.5), member records 2 of 3 (0.667): 0.5.
        assert (r1.number, r1.accepted_share, r1.passed) == (1, 0.5, False)
        assert r1.reasons[0][0].startswith("enrollment_start_date")
        # Round 2: its one set rejected, 2 member records (T1, T2) not loaded, nothing loaded.
        assert (r2.batch_id, r2.sets_rejected, r2.member_records) == (0, 1, 2)
        assert r2.member_records_not_loaded == 2
        assert r2.failures == (
            "1 of 1 transaction sets rejected",
            "2 of 2 member records not loaded",
            "nothing loaded",
        )
        assert r2.accepted_share == 0.0
        [finding] = r2.transaction_sets[0]["findings"]
        assert finding["position"] == 8
        assert "HD (coverage) outside a member (INS) loop" in finding["message"]
        # Round 3 passed: the latest round scores full, and no warning about it.
        assert r3.passed and r3.accepted_share == 1.0
        assert state.readiness.components["eligibility_tests"] == 1.0
        assert not [f for f in state.readiness.flags if "test round" in f]
        # No round's rows are ever read as production data.
        assert _members_in_lake(cast) == 0

        # The plan page shows each round's result and the 834's acceptance report.
        plan_page = client.get(
            reverse(
                "implementations:detail",
                kwargs={
                    "account_id": cast.acme.pk,
                    "implementation_id": implementation.pk,
                },
            )
        ).content.decode()
        assert plan_page.count('<span class="badge bad">failed</span>') == 2
        assert plan_page.count('<span class="badge ok">passed</span>') == 1
        assert "segment 8 (error): HD (coverage) outside a member (INS) loop" in plan_page
        assert "Member records (INS): 3 read, 1 not loaded" in plan_page
        assert "Spans: 4 checked, 4 loaded, 0 rejected; 3 members loaded." in plan_page
        # alice (an associate) does not review the lake's loads: no link to the batch page
        assert reverse("loads:detail", args=[batch.pk]) not in plan_page
        manager = login("mia")
        shown = manager.get(
            reverse(
                "implementations:detail",
                kwargs={
                    "account_id": cast.acme.pk,
                    "implementation_id": implementation.pk,
                },
            )
        ).content.decode()
        assert reverse("loads:detail", args=[batch.pk]) in shown

        # Each round loaded has its audit row with its verdict.
        audits = AuditEvent.objects.filter(action="implementation.test_file").order_by("pk")
        after = [a.after or {} for a in audits]
        assert [(a["file"], a["passed"]) for a in after] == [
            ("acme-834-r1.txt", False),
            ("acme-834-r2.txt", False),
            ("acme-834-r3.834", True),
        ]


def test_an_834_of_another_sponsor_or_not_an_834_is_refused_whole(cast: Cast, login: Any) -> None:
    implementation = _plan(cast)
    client = login("alice")
    url = reverse(
        "implementations:test_file",
        kwargs={"account_id": cast.acme.pk, "implementation_id": implementation.pk},
    )
    # T2's own group (REF*1L) is Bayside's: its INS is segment 17 (ISA 1, GS 2, ST 3, header
    # 4-7, T1: INS 8, REF 9, REF 10, NM1 11, N3 12, N4 13, DMG 14, HD 15, DTP 16).
    mixed = interchange(
        [
            *header(),
            *member("T1", "ANN", *HEALTH),
            *member("T2", "BOB", "REF*1L*G100002", *HEALTH),
        ]
    )
    page = client.post(url, {"file": _upload("mixed.834", mixed)}, follow=True).content.decode()
    assert (
        "Not loaded: mixed.834: segment 17: a member of group G100002, another sponsor&#x27;s"
    ) in page
    # A claims file is not a test round.
    claims = interchange(["BHT*0019*00*1*20261201*1200*CH"]).replace("ST*834", "ST*837")
    page = client.post(url, {"file": _upload("claims.x12", claims)}, follow=True).content.decode()
    assert "segment 3: a 837 set, not an 834" in page
    # Eve (read-only) cannot load one; Oscar (not on Acme) does not see the plan.
    assert login("eve").post(url, {"file": _upload("g.834", GOOD)}).status_code == 403
    assert login("oscar").post(url, {"file": _upload("g.834", GOOD)}).status_code == 404
    assert not IngestBatch.objects.exists()
    assert not EligibilityTestRound.objects.exists()


def test_the_command_line_loads_a_round_and_exits_1_when_it_failed(
    cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    implementation = _plan(cast)
    good = tmp_path / "acme-good.834"
    good.write_text(GOOD)
    call_command("installation", "test-round", str(good), "--account", "G100001")
    out = capsys.readouterr().out
    assert "Test round loaded from acme-good.834: passed." in out
    assert "set 000000007/7/0001 at segment 3: accepted" in out
    bad = tmp_path / "acme-bad.834"
    bad.write_text(REJECTED)
    with pytest.raises(SystemExit) as ended:
        call_command(
            "installation",
            "test-round",
            str(bad),
            "--account",
            str(cast.acme.pk),
            "--plan",
            str(implementation.pk),
            "--format",
            "json",
        )
    assert ended.value.code == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["passed"], data["status"], data["batch_id"]) == (False, "nothing_to_load", None)
    assert data["acceptance_report"]["rejected"] == 1
    assert [r.source_name for r in EligibilityTestRound.objects.order_by("pk")] == [
        "acme-good.834",
        "acme-bad.834",
    ]
