"""The demo's growth: the programs each account holds (the book's growth truth), suggestions
evaluated on the book, opportunities and renewals, leads passed to the demo's sales user with
their status back, an answer library and a consultant's questionnaire answered from it, and
vendor deals negotiated for two sponsors."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from clientdesk.accounts.models import Account, Assignment
from clientdesk.growth import actions
from clientdesk.growth.models import (
    Lead,
    LeadStatus,
    Product,
    Stage,
    Suggestion,
    SuggestionStatus,
    VendorContract,
)
from clientdesk.growth.participants import ParticipantFileError
from clientdesk.growth.rfps import import_rfp
from clientdesk.growth.runs import (
    import_participants,
    last_full_year,
    measure_vendor_savings,
    run_suggestions,
)
from clientdesk.lake.gateway import LakeError, SystemActor, open_lake
from clientdesk.synth.growth import held_programs

LIBRARY: tuple[tuple[str, str, str], ...] = (
    (
        "Describe the account management team assigned to the client.",
        "A dedicated client manager leads the team, backed by a service associate, a clinical "
        "consultant and an analyst; the team meets the sponsor monthly.",
        "medical",
    ),
    (
        "How often are stewardship meetings held with the client?",
        "Quarterly stewardship meetings with a written utilization and service report, and an "
        "annual renewal review.",
        "medical",
    ),
    (
        "What performance guarantees do you offer for customer service?",
        "Average speed of answer within 30 seconds, abandonment under 3%, first-call "
        "resolution above 90%, with fees at risk paid back each quarter.",
        "medical",
    ),
    (
        "What is your claims auto-adjudication rate?",
        "Above 88% of claims are finalized with no human touch; turnaround averages 6 days.",
        "medical",
    ),
    (
        "Describe your claims financial accuracy guarantee.",
        "Financial accuracy of 99% of dollars paid, audited quarterly on a random sample.",
        "medical",
    ),
    (
        "Describe your disease management program for diabetes.",
        "Nurse coaching, remote glucose monitoring and medication adherence outreach for "
        "members with diabetes; results reported against engaged members' PMPM.",
        "disease_management",
    ),
    (
        "Describe your employee assistance program.",
        "Six counselling sessions per issue per year, 24/7 crisis line, legal and financial "
        "consultation, and manager consultations.",
        "eap",
    ),
    (
        "Describe your pharmacy network and mail-order program.",
        "A national network of 65,000 retail pharmacies, 90-day supplies at retail or by mail.",
        "pharmacy",
    ),
    (
        "How do you manage specialty drugs?",
        "Prior authorization, site-of-care redirection and a specialty pharmacy with nurse "
        "support for members on specialty drugs.",
        "specialty_pharmacy",
    ),
    (
        "Describe your eligibility file process.",
        "Weekly 834 files, validated on receipt; errors are returned within one business day.",
        "medical",
    ),
    (
        "What implementation timeline do you require for a new account?",
        "90 to 120 days from award, with ID cards mailed 15 days before the effective date.",
        "medical",
    ),
    (
        "Describe your reporting package for the plan sponsor.",
        "A monthly dashboard and quarterly stewardship report: PMPM by service category, "
        "high-cost claimants (de-identified), guarantees and service levels.",
        "medical",
    ),
    (
        "Describe your nurse line services.",
        "A 24/7 nurse line triages symptoms and steers members to the right care setting.",
        "nurse_line",
    ),
    (
        "Describe your data security and HIPAA compliance program.",
        "SOC 2 Type II audited yearly; PHI encrypted at rest and in transit; role-based access "
        "with every member-level read logged.",
        "medical",
    ),
    (
        "Describe your stop-loss offering.",
        "Specific and aggregate stop-loss with a 125% aggregate corridor, monthly accommodation "
        "and no lasering at renewal for accounts over 500 employees.",
        "stop_loss",
    ),
)

QUESTIONNAIRE: tuple[tuple[str, str, str], ...] = (
    ("Account management", "1.1", "Describe the account management team assigned to our group."),
    ("Account management", "1.2", "How often will you hold stewardship meetings with us?"),
    ("Account management", "1.3", "Describe the reporting package provided to the plan sponsor."),
    ("Service", "2.1", "What customer service performance guarantees do you offer?"),
    ("Service", "2.2", "What is your auto-adjudication rate for claims?"),
    ("Service", "2.3", "Describe your claims financial accuracy guarantee."),
    ("Clinical", "3.1", "Describe your diabetes disease management program."),
    ("Clinical", "3.2", "Describe your employee assistance program (EAP)."),
    ("Clinical", "3.3", "How do you manage specialty drugs?"),
    ("Clinical", "3.4", "Describe your nurse line."),
    ("Operations", "4.1", "Describe your eligibility file process."),
    ("Operations", "4.2", "What implementation timeline do you require?"),
    ("Operations", "4.3", "Describe your HIPAA compliance and data security program."),
    ("Operations", "4.4", "List any pending litigation against your organization."),
)


def _questionnaire() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101  (a new workbook has its sheet)
    sheet.title = "Medical RFP"
    sheet["A1"] = "Request for proposal - medical and pharmacy administration"
    sheet.append([])
    sheet.append(["Section", "No.", "Question", "Vendor response", "Consultant use"])
    for section, number, text in QUESTIONNAIRE:
        sheet.append([section, number, text, None, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _lead_owner(account: Account) -> User | None:
    found = Assignment.objects.filter(account=account, role="lead").select_related("user").first()
    return found.user if found is not None else None


def load_growth_demo(
    book_dir: Path,
    users: dict[str, User],
    *,
    today: dt.date,
    now: dt.datetime,
    say: Callable[[str], object],
) -> None:
    """Everything the growth pages show on the demo book. Idempotent: a second run adds
    nothing (it stops when the demo's leads exist)."""
    if Lead.objects.exists():
        return
    manager, sales = users["manager"], users["sales"]
    accounts = list(Account.objects.order_by("group_number"))
    by_group = {a.group_number: a for a in accounts}
    products = {p.code: p for p in Product.objects.all()}
    truth_file = Path(book_dir) / "growth_truth.json"
    held = held_programs(json.loads(truth_file.read_text())) if truth_file.exists() else []
    for group, code in held:
        account = by_group.get(group)
        if account is not None and code in products:
            actions.do_set_holding(
                account, products[code], "held", since=account.effective_date, acting_user=manager
            )
    run = run_suggestions(
        SystemActor("demo growth"), accounts, last_full_year(today), now=now, acting_user=manager
    )
    # One suggestion turned into an opportunity and qualified, as the associate would.
    first = (
        Suggestion.objects.filter(status=SuggestionStatus.OPEN).order_by("account__name").first()
    )
    if first is not None:
        owner = _lead_owner(first.account) or manager
        opportunity = actions.do_convert_suggestion(
            first,
            owner=owner,
            expected_close=today + dt.timedelta(days=75),
            now=now,
            acting_user=owner,
        )
        actions.do_move_opportunity(opportunity, Stage.QUALIFIED, now=now, acting_user=owner)
    owners = {a.pk: u for a in accounts if (u := _lead_owner(a)) is not None}
    renewals = actions.do_open_renewals(
        accounts,
        products["medical"],
        owner_of=owners,
        within_days=240,
        today=today,
        now=now,
        acting_user=manager,
    )
    stages = [Stage.PROPOSED, Stage.NEGOTIATING, Stage.WON, Stage.LOST, Stage.QUALIFIED]
    for index, account in enumerate(accounts[:10]):
        owner = owners.get(account.pk, manager)
        code = ("dental", "vision", "wellness", "msk_virtual", "stop_loss")[index % 5]
        opportunity = actions.do_create_opportunity(
            account,
            products[code],
            owner=owner,
            expected_close=today + dt.timedelta(days=30 * (index % 6) + 20),
            now=now,
            acting_user=owner,
            next_step="Send the proposal",
        )
        stage = stages[index % len(stages)]
        reason = "Sponsor kept its current carrier" if stage == Stage.LOST else ""
        actions.do_move_opportunity(opportunity, stage, reason=reason, now=now, acting_user=owner)
    _leads(accounts, owners, sales, manager, now)
    _library_and_rfp(accounts, products, manager, today, now)
    measured = _vendors(accounts, manager, today, now)
    say(
        f"growth: {len(held)} programs held, {run.stored['new']} suggestions, {renewals} renewals, "
        f"{Lead.objects.count()} leads, an RFP answered from the library, 2 vendor deals"
        + (f" (EAP savings measured on {measured})" if measured else "")
    )


def _leads(
    accounts: list[Account],
    owners: dict[int, User],
    sales: User,
    manager: User,
    now: dt.datetime,
) -> None:
    plans = [
        (
            "sponsor",
            "Expansion of the {name} workforce in a new state",
            250,
            LeadStatus.CONVERTED,
            "",
        ),
        (
            "broker",
            "Broker asks for a quote for a neighbour of {name}",
            120,
            LeadStatus.CONTACTED,
            "",
        ),
        (
            "subsidiary",
            "{name}'s subsidiary wants its own medical plan",
            400,
            LeadStatus.ACCEPTED,
            "",
        ),
        (
            "visit",
            "Prospect met at {name}'s benefits fair",
            60,
            LeadStatus.REJECTED,
            "Under 100 employees",
        ),
        ("sponsor", "{name} asks about dental for retirees", 900, LeadStatus.PASSED, ""),
        (
            "broker",
            "Broker introduces a public-sector prospect near {name}",
            1500,
            LeadStatus.PASSED,
            "",
        ),
    ]
    for index, (source, need, size, status, reason) in enumerate(plans):
        account = accounts[index % len(accounts)]
        passed_by = owners.get(account.pk, manager)
        passed_at = now - dt.timedelta(days=12 - index)
        lead = actions.do_pass_lead(
            {
                "account": account,
                "company": f"{account.name.split()[0]} lead {index + 1}",
                "contact_name": f"Contact {index + 1}",
                "contact_email": f"contact{index + 1}@prospect.example",
                "need": need.format(name=account.name),
                "size": size,
                "source": source,
            },
            sales_owner=sales,
            now=passed_at,
            acting_user=passed_by,
        )
        steps = {
            LeadStatus.ACCEPTED: [LeadStatus.ACCEPTED],
            LeadStatus.CONTACTED: [LeadStatus.ACCEPTED, LeadStatus.CONTACTED],
            LeadStatus.CONVERTED: [LeadStatus.ACCEPTED, LeadStatus.CONTACTED, LeadStatus.CONVERTED],
            LeadStatus.REJECTED: [LeadStatus.REJECTED],
        }.get(status, [])
        for hours, step in enumerate(steps, start=1):
            lead = actions.do_update_lead(
                lead,
                step,
                note=reason if step == LeadStatus.REJECTED else "",
                now=passed_at + dt.timedelta(hours=6 * hours + index * 5),
                acting_user=sales,
            )


def _library_and_rfp(
    accounts: list[Account],
    products: dict[str, Product],
    manager: User,
    today: dt.date,
    now: dt.datetime,
) -> None:
    for index, (question, answer, code) in enumerate(LIBRARY):
        reviewed = today - dt.timedelta(days=40 + 45 * index)
        actions.do_save_library_answer(
            None,
            {
                "question": question,
                "answer": answer,
                "product": products.get(code),
                "owner": manager,
                "last_reviewed": reviewed,
                "review_due": reviewed + dt.timedelta(days=365),
            },
            now=now,
            acting_user=manager,
        )
    account = next((a for a in accounts if a.broker), accounts[0])
    rfp = import_rfp(
        "medical-rfp-questionnaire.xlsx",
        _questionnaire(),
        {
            "title": f"{account.name} medical and pharmacy RFP",
            "account": account,
            "issuer": account.name,
            "consultant": account.broker or "Consultant",
            "intent_due": today + dt.timedelta(days=7),
            "questions_due": today + dt.timedelta(days=14),
            "final_due": today + dt.timedelta(days=35),
        },
        now=now,
        acting_user=manager,
    )
    actions.do_fill_from_library(rfp, min_score=0.3, now=now, acting_user=manager)
    for section in rfp.sections.all():
        try:
            actions.do_approve_section(section, now=now, acting_user=manager)
        except ValidationError:
            continue  # a section with an open question waits for its answer


def _vendors(accounts: list[Account], manager: User, today: dt.date, now: dt.datetime) -> str:
    eap = actions.do_save_vendor({"name": "MindBridge EAP", "kind": "eap"}, acting_user=manager)
    actions.do_save_vendor({"name": "Keystone Stop-Loss", "kind": "stop_loss"}, acting_user=manager)
    msk = actions.do_save_vendor(
        {"name": "Kinetic MSK", "kind": "point_solution"}, acting_user=manager
    )
    first, second = accounts[0], accounts[1 % len(accounts)]
    deal = actions.do_record_vendor_contract(
        first,
        {
            "vendor": eap,
            "services": "EAP: six counselling sessions, crisis line",
            "fee_basis": "pepm",
            "reference_fee": Decimal("2.50"),
            "negotiated_fee": Decimal("1.90"),
            "volume": max(first.employees, 1),
            "start_date": today.replace(day=1) - dt.timedelta(days=300),
            "end_date": today + dt.timedelta(days=75),
            "guarantees": "Utilization report quarterly; 95% of calls answered in 30 seconds.",
            "savings_claim": "Vendor's report: participants cost $45 PMPM less after joining",
            "claimed_savings_pmpm": Decimal("45.00"),
        },
        acting_user=manager,
    )
    for days, kind, text, fee in (
        (-330, "ask", "Asked for $1.75 PEPM against the $2.50 list fee", Decimal("1.75")),
        (-320, "offer", "Vendor offered $2.10 PEPM", Decimal("2.10")),
        (-310, "concession", "Settled at $1.90 PEPM with the call guarantee", Decimal("1.90")),
    ):
        actions.do_log_negotiation(
            deal,
            {"on": today + dt.timedelta(days=days), "kind": kind, "text": text, "fee": fee},
            acting_user=manager,
        )
    actions.do_record_vendor_contract(
        second,
        {
            "vendor": msk,
            "services": "Virtual physical therapy",
            "fee_basis": "per_case",
            "reference_fee": Decimal("1200.00"),
            "reference_is_prior": True,
            "negotiated_fee": Decimal("950.00"),
            "volume": 60,
            "start_date": today.replace(day=1),
            "end_date": today.replace(day=1) + dt.timedelta(days=729),
            "savings_claim": "Vendor claims $1,800 saved per completed episode",
        },
        acting_user=manager,
    )
    return _eap_participants(deal, manager, now)


def _eap_participants(deal: VendorContract, manager: User, now: dt.datetime) -> str:
    """The EAP vendor's participant list for the first sponsor (members of the account with a
    depression or anxiety claim before the deal, joining over its first six months, and three
    bad rows a vendor's file has), imported and measured on the account's claims as the
    manager."""
    with open_lake(
        SystemActor("demo growth: an EAP vendor's participants"), accounts=[deal.account]
    ) as lake:
        m = lake.medical_claim
        behavioral = m.diagnosis_code_1.substr(0, 3).isin(["F32", "F33", "F41"]) & (
            m.claim_start_date < deal.start_date
        )
        found = lake.execute(
            m.filter(behavioral).select("member_id").distinct().order_by("member_id").limit(90)
        )
    members = [str(v) for v in found["member_id"]]
    if not members:
        return ""
    lines = ["Member ID,Enrollment Start,Enrollment End"]
    for index, member in enumerate(members):
        joined = deal.start_date + dt.timedelta(days=30 * (index % 6) + index % 20)
        left = joined + dt.timedelta(days=120) if index % 7 == 0 else None
        lines.append(f"{member},{joined:%m/%d/%Y},{left.isoformat() if left else ''}")
    lines += [
        f"{members[0]},{deal.start_date:%Y-%m-%d},",  # listed twice
        "ZZ00000000,2026-03-01,",  # not a member of the account
        f"{members[-1][:-1]}X,03/32/2026,",  # not a date
    ]
    name = f"{deal.vendor.name} participants {deal.account.group_number}.csv"
    data = ("\n".join(lines) + "\n").encode()
    try:
        import_participants(deal, name, data, reader=manager, now=now)
        check = measure_vendor_savings(deal, reader=manager, now=now)
    except (ParticipantFileError, ValidationError, LakeError):
        return ""  # the demo goes on without the measured savings
    return f"{check.figures.get('participants', {}).get('members', 0)} participants"
