"""Every write of growth: one transaction, one audit row each (bulk rows for a whole run)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction

from clientdesk.accounts.models import Account
from clientdesk.audit.models import AuditEvent
from clientdesk.audit.recording import AuditEntry, record_audit, record_audits, snapshot
from clientdesk.audit.updating import check_version, check_version_of
from clientdesk.growth.models import (
    LEAD_NEXT,
    OPEN_STAGES,
    Holding,
    HoldingStatus,
    Lead,
    LeadChange,
    LeadStatus,
    LibraryAnswer,
    NegotiationEntry,
    Opportunity,
    OpportunityChange,
    OpportunityKind,
    Participant,
    ParticipantList,
    Product,
    Rfp,
    RfpQuestion,
    RfpSection,
    RfpStatus,
    SavingsCheck,
    Stage,
    Suggestion,
    SuggestionRule,
    SuggestionStatus,
    Vendor,
    VendorContract,
)
from clientdesk.growth.participants import ParsedList, mask_member_id
from clientdesk.growth.pipeline import default_probability
from clientdesk.growth.rules import Finding

Actor = AbstractBaseUser | AnonymousUser | User | None


# --- holdings and opportunities -----------------------------------------------------------


@transaction.atomic
def do_set_holding(
    account: Account,
    product: Product,
    status: str,
    *,
    since: dt.date,
    note: str = "",
    acting_user: Actor,
    expected_version: int | None = None,
) -> Holding:
    """Record that the account holds (or declined) a product. Given `expected_version` (the
    one the page showed; 0: it showed none recorded), a holding someone recorded or changed
    since raises StaleEdit and nothing changes."""
    holding = Holding.objects.select_for_update().filter(account=account, product=product).first()
    check_version_of(
        holding,
        expected_version,
        lambda: Holding(account=account, product=product, status="", since=since, version=0),
    )
    before = snapshot(holding) if holding is not None else None
    if holding is None:
        holding = Holding(account=account, product=product, version=0)
    holding.status, holding.since, holding.note = status, since, note
    holding.version += 1
    holding.save()
    record_audit(
        actor=acting_user,
        action=f"growth.holding.{status}",
        obj=holding,
        object_label=f"{product.name} {status}",
        account=account,
        before=before,
        after=snapshot(holding),
    )
    return holding


def _history(opportunity: Opportunity, now: dt.datetime, by: Actor) -> None:
    OpportunityChange.objects.create(
        opportunity=opportunity,
        at=now,
        stage=opportunity.stage,
        annual_value=opportunity.annual_value,
        probability=opportunity.probability,
        expected_close=opportunity.expected_close,
        by=by if isinstance(by, User) else None,
    )


@transaction.atomic
def do_create_opportunity(
    account: Account,
    product: Product,
    *,
    owner: User,
    expected_close: dt.date,
    now: dt.datetime,
    acting_user: Actor,
    kind: str = OpportunityKind.CROSS_SELL,
    next_step: str = "",
    annual_value: Decimal | None = None,
) -> Opportunity:
    """An opportunity at its first stage, valued at the product's list price x the account's
    enrollment x 12 unless a value is given."""
    size = account.employees if product.basis == "pepm" else account.members
    if annual_value is None:
        annual_value = product.annual_value(account.employees, account.members)
        basis = f"${product.list_price} {product.basis.upper()} × {size:,} × 12"
    else:
        basis = "entered"
    opportunity = Opportunity(
        account=account,
        product=product,
        kind=kind,
        stage=Stage.IDENTIFIED,
        annual_value=annual_value,
        value_basis=basis,
        probability=default_probability(Stage.IDENTIFIED),
        expected_close=expected_close,
        owner=owner,
        next_step=next_step,
        created_at=now,
    )
    opportunity.full_clean()
    opportunity.save()
    _history(opportunity, now, acting_user)
    record_audit(
        actor=acting_user,
        action="growth.opportunity.create",
        obj=opportunity,
        account=account,
        after=snapshot(opportunity),
    )
    return opportunity


@transaction.atomic
def do_move_opportunity(
    opportunity: Opportunity,
    stage: str,
    *,
    now: dt.datetime,
    acting_user: Actor,
    reason: str = "",
    next_step: str | None = None,
    probability: int | None = None,
    expected_close: dt.date | None = None,
    expected_version: int | None = None,
) -> Opportunity:
    """Move to a stage (its default probability unless one is given); a lost opportunity
    needs its reason; a won one makes the product held. Given `expected_version` (the one the
    page or client read), a newer stored version raises StaleEdit and nothing changes."""
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    check_version(opportunity, expected_version)
    if not opportunity.is_open:
        raise ValidationError("This opportunity is closed.")
    if stage == Stage.LOST and not reason.strip():
        raise ValidationError({"reason": "Say why it was lost."})
    before = snapshot(opportunity)
    opportunity.stage = stage
    opportunity.probability = probability if probability is not None else default_probability(stage)
    if reason:
        opportunity.reason = reason.strip()
    if next_step is not None:
        opportunity.next_step = next_step
    if expected_close is not None:
        opportunity.expected_close = expected_close
    if stage not in OPEN_STAGES:
        opportunity.closed_at = now
    opportunity.version += 1
    opportunity.full_clean()
    opportunity.save()
    _history(opportunity, now, acting_user)
    record_audit(
        actor=acting_user,
        action="growth.opportunity.stage",
        obj=opportunity,
        account=opportunity.account,
        before=before,
        after=snapshot(opportunity),
    )
    if stage == Stage.WON and opportunity.kind != OpportunityKind.NEW_BUSINESS:
        do_set_holding(
            opportunity.account,
            opportunity.product,
            HoldingStatus.HELD,
            since=opportunity.expected_close,
            note="won",
            acting_user=acting_user,
        )
    return opportunity


@transaction.atomic
def do_open_renewals(
    accounts: Iterable[Account],
    product: Product,
    *,
    owner_of: Mapping[int, User],
    within_days: int,
    today: dt.date,
    now: dt.datetime,
    acting_user: Actor,
) -> int:
    """A renewal opportunity for every account renewing within `within_days` that has none
    open for that renewal date; valued at the current contract's admin fee (or the product's
    list price) x enrollment x 12."""
    made = 0
    for account in accounts:
        if not today <= account.renewal_date <= today + dt.timedelta(days=within_days):
            continue
        owner = owner_of.get(account.pk)
        if owner is None:
            continue
        exists = Opportunity.objects.filter(
            account=account, kind=OpportunityKind.RENEWAL, expected_close=account.renewal_date
        ).exists()
        if exists:
            continue
        contract = account.contracts.order_by("-start_date").first()
        fee = contract.admin_fee_pepm if contract is not None else None
        value = (fee * account.employees * 12).quantize(Decimal("0.01")) if fee else None
        do_create_opportunity(
            account,
            product,
            owner=owner,
            expected_close=account.renewal_date,
            now=now,
            acting_user=acting_user,
            kind=OpportunityKind.RENEWAL,
            next_step="Renewal offer",
            annual_value=value,
        )
        made += 1
    return made


# --- suggestions --------------------------------------------------------------------------


@transaction.atomic
def do_store_suggestions(
    findings: Iterable[Finding], *, now: dt.datetime, acting_user: Actor
) -> dict[str, int]:
    """Store what the rules found. Evidence already stored (open, converted or dismissed)
    changes nothing, so a dismissed suggestion stays away until its evidence changes; an open
    suggestion of the same rule with older evidence takes the new evidence."""
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    existing: dict[tuple[int, int], list[Suggestion]] = {}
    findings = list(findings)
    account_ids = {f.account_id for f in findings}
    for s in Suggestion.objects.filter(account_id__in=account_ids):
        existing.setdefault((s.account_id, s.rule_id), []).append(s)
    new: list[Suggestion] = []
    updated: list[Suggestion] = []
    for finding in findings:
        known = existing.get((finding.account_id, finding.rule_id), [])
        if any(s.evidence_key == finding.evidence_key for s in known):
            counts["unchanged"] += 1
            continue
        open_one = next((s for s in known if s.status == SuggestionStatus.OPEN), None)
        if open_one is not None:
            open_one.evidence = finding.evidence
            open_one.evidence_key = finding.evidence_key
            open_one.found_at = now
            updated.append(open_one)
        else:
            new.append(
                Suggestion(
                    account_id=finding.account_id,
                    rule_id=finding.rule_id,
                    evidence=finding.evidence,
                    evidence_key=finding.evidence_key,
                    found_at=now,
                )
            )
    Suggestion.objects.bulk_update(
        updated, ["evidence", "evidence_key", "found_at"], batch_size=500
    )
    Suggestion.objects.bulk_create(new, batch_size=500)
    counts["new"], counts["updated"] = len(new), len(updated)
    entries = [
        AuditEntry(
            action="growth.suggestion.found",
            obj=suggestion,
            object_label=suggestion.evidence_key,
            after={"rule": suggestion.rule_id, "evidence_key": suggestion.evidence_key},
        )
        for suggestion in [*new, *updated]
    ]
    record_audits(entries, actor=acting_user)
    return counts


@transaction.atomic
def do_convert_suggestion(
    suggestion: Suggestion,
    *,
    owner: User,
    expected_close: dt.date,
    now: dt.datetime,
    acting_user: Actor,
) -> Opportunity:
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.OPEN:
        raise ValidationError("This suggestion is already decided.")
    rule = suggestion.rule
    opportunity = do_create_opportunity(
        suggestion.account,
        rule.product,
        owner=owner,
        expected_close=expected_close,
        now=now,
        acting_user=acting_user,
        next_step=f"Share the evidence: {rule.name}",
    )
    suggestion.status = SuggestionStatus.CONVERTED
    suggestion.opportunity = opportunity
    suggestion.decided_at = now
    suggestion.save()
    record_audit(
        actor=acting_user,
        action="growth.suggestion.convert",
        obj=suggestion,
        account=suggestion.account,
        after={"opportunity": opportunity.pk},
    )
    return opportunity


@transaction.atomic
def do_dismiss_suggestion(
    suggestion: Suggestion, *, reason: str, now: dt.datetime, acting_user: Actor
) -> Suggestion:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the suggestion does not apply."})
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.OPEN:
        raise ValidationError("This suggestion is already decided.")
    suggestion.status = SuggestionStatus.DISMISSED
    suggestion.reason = reason.strip()
    suggestion.decided_at = now
    suggestion.save()
    record_audit(
        actor=acting_user,
        action="growth.suggestion.dismiss",
        obj=suggestion,
        account=suggestion.account,
        after={"reason": suggestion.reason},
    )
    return suggestion


RULE_FIELDS = [
    "name",
    "measure",
    "comparison",
    "threshold",
    "also_measure",
    "also_threshold",
    "product",
    "rationale",
    "active",
]


@transaction.atomic
def do_save_rule(
    rule: SuggestionRule | None,
    data: Mapping[str, Any],
    *,
    acting_user: Actor,
    expected_version: int | None = None,
) -> SuggestionRule:
    """Create a rule, or change one (the manager's table of rules); a change made on an older
    `expected_version` than the stored one raises StaleEdit and nothing changes."""
    if rule is not None:
        rule = SuggestionRule.objects.select_for_update().get(pk=rule.pk)
        check_version(rule, expected_version)
    before = snapshot(rule) if rule is not None else None
    if rule is not None:
        rule.version += 1
    rule = rule or SuggestionRule()
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    rule.full_clean()
    rule.save()
    record_audit(
        actor=acting_user,
        action="growth.rule.save",
        obj=rule,
        before=before,
        after=snapshot(rule),
    )
    return rule


# --- leads --------------------------------------------------------------------------------

LEAD_FIELDS = [
    "account",
    "company",
    "contact_name",
    "contact_email",
    "contact_phone",
    "need",
    "size",
    "source",
]


@transaction.atomic
def do_pass_lead(
    data: Mapping[str, Any], *, sales_owner: User, now: dt.datetime, acting_user: User
) -> Lead:
    lead = Lead(
        **{k: v for k, v in data.items() if k in LEAD_FIELDS},
        passed_by=acting_user,
        sales_owner=sales_owner,
        passed_at=now,
    )
    lead.full_clean()
    lead.save()
    LeadChange.objects.create(lead=lead, at=now, status=LeadStatus.PASSED, by=acting_user)
    record_audit(
        actor=acting_user,
        action="growth.lead.pass",
        obj=lead,
        account=lead.account,
        after=snapshot(lead, ["company", "need", "size", "source", "sales_owner"]),
    )
    return lead


@transaction.atomic
def do_update_lead(
    lead: Lead,
    status: str,
    *,
    note: str = "",
    now: dt.datetime,
    acting_user: Actor,
    expected_version: int | None = None,
) -> Lead:
    """Sales reports the lead's status back: accepted, contacted, converted or rejected (with
    a reason). The first contact's time is kept for the SLA. Given `expected_version` (the one
    the page or client read), a newer stored version raises StaleEdit and nothing changes."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    check_version(lead, expected_version)
    if status not in LEAD_NEXT[lead.status]:
        raise ValidationError(
            {"status": f"A lead {lead.get_status_display().lower()} cannot become {status}."}
        )
    if status == LeadStatus.REJECTED and not note.strip():
        raise ValidationError({"note": "Say why the lead was rejected."})
    before = snapshot(lead, ["status", "reason", "first_contact_at"])
    lead.status = status
    if status == LeadStatus.REJECTED:
        lead.reason = note.strip()
    if status in (LeadStatus.CONTACTED, LeadStatus.CONVERTED) and lead.first_contact_at is None:
        lead.first_contact_at = now
    if status in (LeadStatus.CONVERTED, LeadStatus.REJECTED):
        lead.closed_at = now
    lead.version += 1
    lead.save()
    LeadChange.objects.create(
        lead=lead,
        at=now,
        status=status,
        note=note.strip(),
        by=acting_user if isinstance(acting_user, User) else None,
    )
    record_audit(
        actor=acting_user,
        action="growth.lead.status",
        obj=lead,
        account=lead.account,
        before=before,
        after=snapshot(lead, ["status", "reason", "first_contact_at"]),
    )
    return lead


# --- RFPs and the library -----------------------------------------------------------------

LIBRARY_FIELDS = ["question", "answer", "product", "owner", "last_reviewed", "review_due"]


@transaction.atomic
def do_save_library_answer(
    answer: LibraryAnswer | None,
    data: Mapping[str, Any],
    *,
    now: dt.datetime,
    acting_user: Actor,
) -> LibraryAnswer:
    before = snapshot(answer) if answer is not None else None
    answer = answer or LibraryAnswer(created_at=now)
    for name in LIBRARY_FIELDS:
        if name in data:
            setattr(answer, name, data[name])
    answer.full_clean()
    answer.save()
    record_audit(
        actor=acting_user,
        action="growth.library.save",
        obj=answer,
        before=before,
        after=snapshot(answer, ["question", "product", "owner", "last_reviewed", "review_due"]),
    )
    return answer


@transaction.atomic
def do_create_rfp(
    meta: Mapping[str, Any],
    *,
    source_name: str,
    source_format: str,
    source_file: bytes,
    sections: list[tuple[str, list[tuple[str, str, dict[str, Any]]]]],
    suggestions: list[list[list[list[float]]]],
    now: dt.datetime,
    acting_user: User,
) -> Rfp:
    """The RFP with its sections and questions as read from the consultant's file, each
    question with its library suggestions (ids and scores)."""
    rfp = Rfp(
        **{k: v for k, v in meta.items() if k in RFP_FIELDS},
        source_name=source_name,
        source_format=source_format,
        source_file=source_file,
        created_by=acting_user,
        created_at=now,
    )
    rfp.full_clean()
    rfp.save()
    position = 0
    questions: list[RfpQuestion] = []
    for s_index, (name, items) in enumerate(sections):
        section = RfpSection.objects.create(rfp=rfp, name=name, position=s_index, due=rfp.final_due)
        for q_index, (number, text, location) in enumerate(items):
            position += 1
            ranked = suggestions[s_index][q_index] if suggestions else []
            questions.append(
                RfpQuestion(
                    rfp=rfp,
                    section=section,
                    position=position,
                    number=number,
                    text=text,
                    location=location,
                    suggestions=ranked,
                )
            )
    RfpQuestion.objects.bulk_create(questions, batch_size=500)
    record_audit(
        actor=acting_user,
        action="growth.rfp.import",
        obj=rfp,
        account=rfp.account,
        after={"questions": position, "sections": len(sections), "file": source_name},
    )
    return rfp


RFP_FIELDS = [
    "title",
    "account",
    "issuer",
    "consultant",
    "intent_due",
    "questions_due",
    "final_due",
]


@transaction.atomic
def do_answer_question(
    question: RfpQuestion,
    *,
    answer: str,
    library_answer: LibraryAnswer | None,
    now: dt.datetime,
    acting_user: Actor,
    expected_version: int | None = None,
) -> RfpQuestion:
    """Save an answer; given `expected_version`, an answer saved by someone else since raises
    StaleEdit and nothing changes (two writers on one question do not erase each other)."""
    question = (
        RfpQuestion.objects.select_for_update().select_related("section", "rfp").get(pk=question.pk)
    )
    check_version(question, expected_version)
    if question.section.approved_at is not None:
        raise ValidationError("The section is approved; reopen it to change an answer.")
    before = {"answer": question.answer}
    question.answer = answer.strip()
    question.from_library = library_answer
    question.answered_at = now if question.answer else None
    question.version += 1
    question.save(update_fields=["answer", "from_library", "answered_at", "version"])
    record_audit(
        actor=acting_user,
        action="growth.rfp.answer",
        obj=question,
        object_label=f"Q{question.number or question.position}",
        account=question.rfp.account,
        before=before,
        after={"answer": question.answer, "library": library_answer.pk if library_answer else None},
    )
    return question


@transaction.atomic
def do_fill_from_library(
    rfp: Rfp, *, min_score: float, now: dt.datetime, acting_user: Actor
) -> int:
    """Answer every unanswered question whose best library suggestion scores at least
    `min_score` with that answer (approved sections are left alone)."""
    answers = {a.pk: a for a in LibraryAnswer.objects.all()}
    filled = 0
    for question in rfp.questions.select_related("section").filter(answer=""):
        if question.section.approved_at is not None or not question.suggestions:
            continue
        best_id, score = question.suggestions[0]
        library = answers.get(int(best_id))
        if library is None or score < min_score:
            continue
        question.answer = library.answer
        question.from_library = library
        question.answered_at = now
        question.version += 1  # an editor who opened the empty question sees the fill
        question.save(update_fields=["answer", "from_library", "answered_at", "version"])
        filled += 1
    record_audit(
        actor=acting_user,
        action="growth.rfp.fill",
        obj=rfp,
        account=rfp.account,
        after={"filled": filled, "min_score": min_score},
    )
    return filled


@transaction.atomic
def do_assign_question(
    question: RfpQuestion,
    assignee: User | None,
    *,
    due: dt.date | None = None,
    acting_user: Actor,
) -> RfpQuestion:
    """Give the question an owner and a due date (by default its section's)."""
    question.assignee = assignee
    question.due = due or question.section.due
    question.save(update_fields=["assignee", "due"])
    record_audit(
        actor=acting_user,
        action="growth.rfp.assign",
        obj=question,
        account=question.rfp.account,
        after={
            "assignee": assignee.pk if assignee else None,
            "due": question.due.isoformat() if question.due else None,
        },
    )
    return question


@transaction.atomic
def do_approve_section(section: RfpSection, *, now: dt.datetime, acting_user: User) -> RfpSection:
    if section.questions.filter(answer="").exists():
        raise ValidationError("Every question of the section needs an answer first.")
    section.approved_by = acting_user
    section.approved_at = now
    section.save(update_fields=["approved_by", "approved_at"])
    record_audit(
        actor=acting_user,
        action="growth.rfp.approve",
        obj=section,
        object_label=section.name,
        account=section.rfp.account,
    )
    return section


@transaction.atomic
def do_record_rfp_outcome(
    rfp: Rfp,
    status: str,
    *,
    reason: str,
    competitor: str,
    acting_user: Actor,
    expected_version: int | None = None,
) -> Rfp:
    """Record how the RFP ended. Given `expected_version` (the one the page read), an outcome
    someone recorded since raises StaleEdit and nothing changes."""
    if status not in RfpStatus.values:
        raise ValidationError({"status": "Choose an outcome."})
    if status in (RfpStatus.LOST, RfpStatus.WITHDRAWN) and not reason.strip():
        raise ValidationError({"reason": "Say why."})
    rfp = Rfp.objects.select_for_update(of=("self",)).get(pk=rfp.pk)
    check_version(rfp, expected_version)
    fields = ["status", "outcome_reason", "competitor", "version"]
    before = snapshot(rfp, fields)
    rfp.status = status
    rfp.outcome_reason = reason.strip()
    rfp.competitor = competitor.strip()
    rfp.version += 1
    rfp.save(update_fields=fields)
    record_audit(
        actor=acting_user,
        action="growth.rfp.outcome",
        obj=rfp,
        account=rfp.account,
        before=before,
        after=snapshot(rfp, fields),
    )
    return rfp


# --- vendors ------------------------------------------------------------------------------


@transaction.atomic
def do_save_vendor(data: Mapping[str, Any], *, acting_user: Actor) -> Vendor:
    vendor = Vendor(**{k: v for k, v in data.items() if k in ("name", "kind", "notes")})
    vendor.full_clean()
    vendor.save()
    record_audit(
        actor=acting_user, action="growth.vendor.create", obj=vendor, after=snapshot(vendor)
    )
    return vendor


VENDOR_CONTRACT_FIELDS = [
    "vendor",
    "services",
    "fee_basis",
    "reference_fee",
    "reference_is_prior",
    "negotiated_fee",
    "volume",
    "start_date",
    "end_date",
    "guarantees",
    "savings_claim",
    "claimed_savings_pmpm",
]


@transaction.atomic
def do_record_vendor_contract(
    account: Account, data: Mapping[str, Any], *, acting_user: Actor
) -> VendorContract:
    contract = VendorContract(
        account=account, **{k: v for k, v in data.items() if k in VENDOR_CONTRACT_FIELDS}
    )
    contract.full_clean()
    contract.save()
    record_audit(
        actor=acting_user,
        action="growth.vendor_contract.create",
        obj=contract,
        account=account,
        after=snapshot(contract),
    )
    return contract


@transaction.atomic
def do_log_negotiation(
    contract: VendorContract, data: Mapping[str, Any], *, acting_user: Actor
) -> NegotiationEntry:
    entry = NegotiationEntry(
        contract=contract,
        by=acting_user if isinstance(acting_user, User) else None,
        **{k: v for k, v in data.items() if k in ("on", "kind", "text", "fee")},
    )
    entry.full_clean()
    entry.save()
    record_audit(
        actor=acting_user,
        action="growth.vendor_contract.negotiation",
        obj=entry,
        object_label=entry.text[:80],
        account=contract.account,
        after=snapshot(entry, ["on", "kind", "text", "fee"]),
    )
    return entry


@transaction.atomic
def do_import_participants(
    contract: VendorContract,
    parsed: ParsedList,
    *,
    in_eligibility: set[str],
    source_name: str,
    now: dt.datetime,
    acting_user: Actor,
) -> ParticipantList:
    """Store a vendor's participant list: rows whose member the account's eligibility does
    not hold are rejected too; the newest list is the one savings are measured on. The
    audit row counts rows and carries no member id."""
    if not isinstance(acting_user, User):
        raise ValidationError("A participant list is imported by a person.")
    rejections = [
        {"row": line, "member": member, "reason": reason}
        for line, member, reason in parsed.rejections
    ]
    accepted = []
    for row in parsed.rows:
        if row.member_id not in in_eligibility:
            rejections.append(
                {
                    "row": row.line,
                    "member": mask_member_id(row.member_id),
                    "reason": f"not a member of {contract.account.name} in eligibility",
                }
            )
            continue
        accepted.append(row)
    rejections.sort(key=lambda item: int(str(item["row"])))
    roster = ParticipantList.objects.create(
        contract=contract,
        source_name=source_name[:200],
        source_format=parsed.format,
        rows_read=parsed.rows_read,
        rejections=rejections,
        imported_by=acting_user,
        imported_at=now,
    )
    Participant.objects.bulk_create(
        Participant(
            roster=roster, member_id=r.member_id, enrolled_on=r.enrolled_on, ended_on=r.ended_on
        )
        for r in accepted
    )
    record_audit(
        actor=acting_user,
        action="growth.vendor_contract.participants",
        obj=roster,
        object_label=roster.source_name,
        account=contract.account,
        after={
            "contract": contract.pk,
            "rows_read": parsed.rows_read,
            "accepted": len(accepted),
            "rejected": len(rejections),
        },
    )
    return roster


def record_participant_look(
    roster: ParticipantList, *, revealed: bool, acting_user: Actor
) -> AuditEvent:
    """Every look at a participant list (masked or in full) is written to the audit log."""
    return record_audit(
        actor=acting_user,
        action="growth.participants.reveal" if revealed else "growth.participants.view",
        obj=roster,
        object_label=roster.source_name,
        account=roster.contract.account,
        kind=AuditEvent.Kind.PHI_READ,
        detail={"contract": roster.contract_id, "member_ids": "full" if revealed else "masked"},
    )


@transaction.atomic
def do_store_savings_check(
    contract: VendorContract,
    roster: ParticipantList,
    *,
    through: dt.date,
    measured_pmpm: Decimal | None,
    measured_total: Decimal | None,
    figures: Mapping[str, Any],
    method: str,
    now: dt.datetime,
    acting_user: Actor,
) -> SavingsCheck:
    check = SavingsCheck.objects.create(
        contract=contract,
        roster=roster,
        through=through,
        measured_pmpm=measured_pmpm,
        measured_total=measured_total,
        figures=dict(figures),
        method=method,
        measured_by=acting_user if isinstance(acting_user, User) else None,
        measured_at=now,
    )
    record_audit(
        actor=acting_user,
        action="growth.vendor_contract.savings_check",
        obj=check,
        account=contract.account,
        after={
            "contract": contract.pk,
            "through": through.isoformat(),
            "measured_pmpm": str(measured_pmpm),
            "measured_total": str(measured_total),
        },
    )
    return check
