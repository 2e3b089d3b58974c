"""Free text for inquiries and survey verbatims: sentence templates per category,
subcategory and incident kind, filled with the record's own details.

Grain: one string per inquiry or survey response. Templates read like an associate's intake
note; slots are ``{who}``, ``{relation}``, ``{service}``, ``{provider}``, ``{drug}``,
``{amount}``, ``{date}``, ``{days}``, ``{employer}``.
"""

from __future__ import annotations

import numpy as np

CATEGORIES: tuple[str, ...] = (
    "claims",
    "eligibility_enrollment",
    "id_cards",
    "benefits",
    "pharmacy",
    "provider_network",
    "billing_fees",
    "reports",
    "other",
)

SUBCATEGORIES: dict[str, tuple[str, ...]] = {
    "claims": (
        "claim_status",
        "denial_prior_auth",
        "denial_other",
        "payment_amount",
        "eob_question",
        "reprocessing_request",
        "coordination_of_benefits",
    ),
    "eligibility_enrollment": (
        "coverage_verification",
        "termination_error",
        "new_hire_add",
        "dependent_add",
        "qualifying_event",
        "cobra",
    ),
    "id_cards": (
        "card_not_received",
        "card_incorrect",
        "replacement_request",
        "pharmacy_rejected_card",
    ),
    "benefits": (
        "deductible_question",
        "coverage_question",
        "preventive_coverage",
        "out_of_network",
    ),
    "pharmacy": (
        "formulary_question",
        "prior_authorization_rx",
        "mail_order",
        "specialty_pharmacy",
        "copay_question",
    ),
    "provider_network": ("find_provider", "directory_incorrect", "network_status"),
    "billing_fees": ("invoice_discrepancy", "fee_question", "stop_loss_reimbursement"),
    "reports": ("utilization_report_request", "claims_experience_report", "guarantee_report"),
    "other": ("general", "complaint", "compliment"),
}

TEMPLATES: dict[str, tuple[str, ...]] = {
    "claim_status": (
        "{who} called about the {service} claim from {date}; it still shows in process after "
        "{days} days and the provider's office has started sending statements.",
        "{who} asked why the {service} claim for {relation} on {date} has not been paid yet. "
        "Provider says it was submitted electronically weeks ago.",
    ),
    "denial_prior_auth": (
        "{who} reports the {service} for {relation} on {date} was denied for no prior "
        "authorization (CARC 197). The ordering office says approval was obtained; requesting "
        "review and reprocessing.",
        "Denial for missing authorization on {service} at {provider}. {who} has the approval "
        "letter and is upset; please check the authorization load.",
    ),
    "denial_other": (
        "{who} received an EOB denying the {service} from {date} (reason {carc}). Asking what "
        "is needed to get it paid.",
        "Claim for {service} on {date} denied with reason code {carc}; {who} believes it should "
        "be covered under the plan and wants it reviewed.",
    ),
    "payment_amount": (
        "{who} questions the amount paid on the {service} claim; member responsibility of "
        "{amount} seems too high for an in-network visit.",
        "{who} thinks the deductible was applied twice on the {service} from {date} and owes "
        "{amount}; please review the accumulators.",
    ),
    "eob_question": (
        "{who} needs help reading the explanation of benefits for {relation}'s {service}.",
    ),
    "reprocessing_request": (
        "Provider corrected the coding on the {service} claim from {date}; {who} asks that it "
        "be reprocessed.",
    ),
    "coordination_of_benefits": (
        "{who} says {relation} has other coverage through a spouse's employer; claims are "
        "pending COB information.",
    ),
    "coverage_verification": (
        "{who} needs written confirmation of coverage for {relation} for a school form.",
        "{who} called to verify that {relation} is active on the plan before a procedure.",
    ),
    "termination_error": (
        "{who} was told at the pharmacy on {date} that coverage is terminated, but is still "
        "employed and paying premiums. Urgent: needs medication today.",
        "Sponsor HR reports several employees showing as terminated after the last eligibility "
        "file; {who} could not fill a prescription.",
    ),
    "new_hire_add": (
        "HR requests that a new hire effective {date} be added; the record is not on the "
        "eligibility file yet.",
    ),
    "dependent_add": (
        "{who} wants to add a newborn to coverage effective the date of birth.",
        "{who} asks how to add a spouse after marriage; qualifying event on {date}.",
    ),
    "qualifying_event": (
        "{who} had a qualifying life event on {date} and needs to change plans mid-year.",
    ),
    "cobra": ("{who} asks about COBRA continuation after leaving {employer}.",),
    "card_not_received": (
        "{who} has not received ID cards for the new plan year; needs them for an appointment "
        "next week.",
    ),
    "card_incorrect": (
        "{who} received ID cards with the wrong group number printed; the provider's office "
        "rejected the card.",
        "New ID cards show {relation}'s name misspelled and an old pharmacy BIN. {who} wants "
        "corrected cards mailed.",
    ),
    "replacement_request": (
        "{who} lost the ID card and requests a replacement and a temporary card by email.",
    ),
    "pharmacy_rejected_card": (
        "Pharmacy rejected {who}'s new card on {date}: the RxBIN/PCN printed on the card does "
        "not route to the PBM. Member paid cash for {drug}.",
        "{who} could not pick up {drug}; the pharmacist says the card's Rx group is invalid. "
        "Several members at {employer} report the same.",
    ),
    "deductible_question": (
        "{who} asks how much of the deductible has been met this year and what remains.",
    ),
    "coverage_question": (
        "{who} asks whether {service} is covered and what the cost share will be.",
        "{who} wants to know if {relation}'s {service} needs prior authorization.",
    ),
    "preventive_coverage": (
        "{who} was billed {amount} for a preventive visit that should be covered at 100 %.",
    ),
    "out_of_network": (
        "{who} received a balance bill of {amount} from an out-of-network provider at an "
        "in-network hospital.",
    ),
    "formulary_question": (
        "{who} was told {drug} is no longer covered at the preferred tier and the copay went "
        "up; asks about alternatives.",
        "Formulary change: {drug} now requires step therapy. {who} has been stable on it for "
        "years and asks for an exception.",
    ),
    "prior_authorization_rx": (
        "{who} needs a prior authorization for {drug}; the prescriber submitted it {days} days "
        "ago.",
    ),
    "mail_order": ("{who} asks about switching {drug} to 90-day mail order.",),
    "specialty_pharmacy": ("{who} had a delay in the specialty pharmacy shipment of {drug}.",),
    "copay_question": ("{who} asks why the copay for {drug} changed this month.",),
    "find_provider": (
        "{who} needs help finding an in-network {specialty} accepting new patients near {city}.",
    ),
    "directory_incorrect": (
        "{who} called three offices listed in the online directory as in-network {specialty}; "
        "none accept the plan or the numbers are wrong.",
        "Directory lists {provider} as in network, but the office says the contract ended. "
        "{who} was billed as out of network.",
    ),
    "network_status": ("{who} asks whether {provider} will stay in network next year.",),
    "invoice_discrepancy": (
        "Sponsor finance reports the monthly invoice bills {amount} more than the enrolled "
        "headcount supports; terminated employees appear to be billed.",
        "Invoice for {date} shows admin fees for employees terminated last quarter; the CFO "
        "asks for a corrected invoice and credit.",
    ),
    "fee_question": (
        "Sponsor asks for a breakdown of the administrative fees on the latest invoice.",
    ),
    "stop_loss_reimbursement": (
        "Sponsor asks for the status of a stop-loss reimbursement filed for a large claimant.",
    ),
    "utilization_report_request": (
        "Benefits manager requests a utilization summary by service category for the board "
        "meeting.",
    ),
    "claims_experience_report": (
        "Broker requests twelve months of paid claims experience for the renewal.",
    ),
    "guarantee_report": (
        "Sponsor asks for the quarterly performance guarantee report and any penalties owed.",
    ),
    "general": ("{who} has a general question about plan documents and the summary of benefits.",),
    "complaint": (
        "{who} complains about waiting a long time on hold and being transferred twice.",
        "{who} is frustrated that the phone menu kept looping and would not connect to an agent.",
    ),
    "compliment": (
        "{who} called to thank the representative who resolved a billing problem last week.",
    ),
}

WHO_MEMBER = ("Member", "The member", "Subscriber", "Member's spouse")
WHO_SPONSOR = ("Benefits manager", "HR contact", "Sponsor HR")
WHO_BROKER = ("Broker", "The broker")
RELATIONS = ("the member", "the spouse", "a dependent child", "the subscriber")
SERVICES = (
    "office visit",
    "MRI",
    "lab work",
    "emergency room visit",
    "physical therapy",
    "outpatient surgery",
    "CT scan",
    "ultrasound",
    "hospital stay",
    "specialist visit",
)
SPECIALTIES = (
    "dermatologist",
    "pediatrician",
    "psychiatrist",
    "orthopedic surgeon",
    "therapist",
    "endocrinologist",
    "OB/GYN",
)
DRUG_NAMES = (
    "atorvastatin",
    "Ozempic",
    "sertraline",
    "Jardiance",
    "metformin",
    "Humira",
    "albuterol inhaler",
    "Eliquis",
    "levothyroxine",
    "Trelegy",
)


def fill(template: str, values: dict[str, str]) -> str:
    """Fill a template; unknown slots stay as written."""
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


def describe(
    subcategory: np.ndarray,
    requester: np.ndarray,
    day: np.ndarray,
    rng: np.random.Generator,
    details: dict[str, list[str]] | None = None,
) -> list[str]:
    """One description per inquiry (subcategory name, requester 0 member/1 sponsor/2 broker).

    ``details`` may carry per-row values for ``service``, ``provider``, ``drug``, ``carc``,
    ``employer``, ``city`` (lists aligned with the rows).
    """
    n = len(subcategory)
    out: list[str] = []
    pick = rng.integers(0, 1_000_000, size=(n, 8))
    for i in range(n):
        sub = str(subcategory[i])
        templates = TEMPLATES[sub]
        template = templates[int(pick[i, 0]) % len(templates)]
        who_pool = (WHO_MEMBER, WHO_SPONSOR, WHO_BROKER)[int(requester[i])]
        d = np.datetime64(int(day[i]), "D").astype(object)
        values = {
            "who": who_pool[int(pick[i, 1]) % len(who_pool)],
            "relation": RELATIONS[int(pick[i, 2]) % len(RELATIONS)],
            "service": SERVICES[int(pick[i, 3]) % len(SERVICES)],
            "drug": DRUG_NAMES[int(pick[i, 4]) % len(DRUG_NAMES)],
            "amount": f"${(int(pick[i, 5]) % 900) + 40:,}.00",
            "date": f"{d.month}/{d.day}/{d.year}",
            "days": str(20 + int(pick[i, 6]) % 40),
            "specialty": SPECIALTIES[int(pick[i, 7]) % len(SPECIALTIES)],
            "provider": "the provider",
            "carc": "16",
            "employer": "the employer",
            "city": "home",
        }
        if details:
            for key, column in details.items():
                if column[i]:
                    values[key] = column[i]
        out.append(fill(template, values))
    return out


SURVEY_VERBATIMS: dict[str, tuple[str, ...]] = {
    "member_high": (
        "The representative was friendly and fixed my problem on the first call.",
        "Quick answer and clear explanation of my benefits.",
        "Easy to reach someone, and they followed up by email as promised.",
    ),
    "member_mid": (
        "Got my answer eventually but had to repeat my information twice.",
        "Hold time was longer than I expected.",
    ),
    "member_low": (
        "I waited on hold far too long and then the call dropped.",
        "Nobody could tell me why my claim was denied.",
        "The phone menu kept sending me in circles.",
    ),
    "sponsor_high": (
        "Our account team is responsive and the quarterly reviews are useful.",
        "Renewal went smoothly and the reporting is clear.",
    ),
    "sponsor_mid": (
        "Service is fine overall, but escalations take longer than they should.",
        "Reports arrive late some quarters.",
    ),
    "sponsor_low": (
        "Too many member complaints reached our HR team this quarter; issues took weeks to fix.",
        "The ID card and eligibility problems this year damaged trust with our employees.",
        "We missed service guarantees again and had to chase the penalty credit.",
    ),
}
