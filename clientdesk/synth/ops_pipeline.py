"""Operational feeds for a chunk of accounts: IVR sessions, calls, account-team inquiries and
surveys, each written as one Parquet part per chunk.

Grain: ``ivr_session`` one row per session, ``call_record`` one row per call,
``inquiry_import`` one row per inquiry, ``survey_response`` one row per survey sent
(unanswered ones too).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from clientdesk.synth import arrow_io as ax
from clientdesk.synth.block_pipeline import PartResult, inquiry_table, record_series
from clientdesk.synth.book_context import BookContext
from clientdesk.synth.contact_center import INTENTS, OUTCOMES, QUEUES, Calls, Sessions, simulate
from clientdesk.synth.inquiries import InquiryRows, account_inquiries
from clientdesk.synth.random_streams import Stream, stream
from clientdesk.synth.schemas import CALL_RECORD, IVR_SESSION, SURVEY_RESPONSE
from clientdesk.synth.surveys import SurveyRows, member_surveys, sponsor_surveys

MICROS_DAY = 86_400_000_000

# Who answered a call (``call_record.agent_id``). The sponsor line is the account team's own:
# account ``a``'s lead ``CM{a % 8 + 1:02d}`` takes three calls in four and its backup
# ``CM{(a + 3) % 8 + 1:02d}`` the fourth, the same round-robin the demo uses to put its eight
# associates on the accounts (demo/team.py), whose team records carry these ids. Member-line
# calls go to a pool of service-centre agents ``SC001``..``SC240``. Spread by call number,
# not drawn, so the other columns' random streams are untouched.
ACCOUNT_TEAM_AGENTS = 8
SERVICE_CENTRE_AGENTS = 240


def _concat_inquiries(parts: list[InquiryRows]) -> InquiryRows:
    return InquiryRows(
        account=np.concatenate([p.account for p in parts]),
        opened=np.concatenate([p.opened for p in parts]),
        channel=np.concatenate([p.channel for p in parts]),
        requester=np.concatenate([p.requester for p in parts]),
        category=np.concatenate([p.category for p in parts]),
        subcategory=[s for p in parts for s in p.subcategory],
        priority=np.concatenate([p.priority for p in parts]),
        member_row=np.concatenate([p.member_row for p in parts]),
        claim_ref=[c for p in parts for c in p.claim_ref],
        description=[d for p in parts for d in p.description],
        status=np.concatenate([p.status for p in parts]),
        resolved=np.concatenate([p.resolved for p in parts]),
        incident=np.concatenate([p.incident for p in parts]),
    )


def run_accounts(ctx: BookContext, chunk: int, accounts: list[int]) -> PartResult:
    """Generate and write the operational feeds of ``accounts`` as part ``chunk``."""
    result = PartResult()
    window = ctx.window
    extract = (window.last_day + 1) * MICROS_DAY
    session_tables: list[pa.Table] = []
    call_tables: list[pa.Table] = []
    survey_tables: list[pa.Table] = []
    inquiry_parts: list[InquiryRows] = []
    pop = ctx.population
    for a in accounts:
        sponsor = ctx.sponsors[a]
        incidents = [i for i in ctx.incidents if i.account == a]
        rng = stream(ctx.seed, Stream.CALLS, a)
        sessions, calls = simulate(
            sponsor, ctx.active[a].astype(np.float64), window, incidents, rng
        )
        prefix = f"{a:04d}"
        session_tables.append(_sessions_table(ctx, a, sessions, prefix))
        call_tables.append(_calls_table(ctx, a, calls, prefix))
        s_rng = stream(ctx.seed, Stream.SURVEYS, a)
        member_s = member_surveys(sponsor, calls, extract, s_rng)
        sponsor_s = sponsor_surveys(sponsor, window, incidents, extract, s_rng)
        survey_tables.append(_surveys_table(ctx, a, member_s, sponsor_s, prefix))
        lo, hi = int(pop.account_offsets[a]), int(pop.account_offsets[a + 1])
        rows = np.arange(lo, hi, dtype=np.int64)
        spans = (
            pop.span1_start[lo:hi],
            pop.span1_end[lo:hi],
            pop.span2_start[lo:hi],
            pop.span2_end[lo:hi],
        )
        i_rng = stream(ctx.seed, Stream.INQUIRIES, a)
        inquiry_parts.append(
            account_inquiries(
                sponsor,
                ctx.active[a].astype(np.float64),
                rows,
                spans,
                window,
                incidents,
                extract,
                i_rng,
            )
        )
    part = ctx.n_blocks + chunk
    sessions_t = pa.concat_tables(session_tables)
    calls_t = pa.concat_tables(call_tables)
    surveys_t = pa.concat_tables(survey_tables)
    inquiries_t = inquiry_table(ctx, _concat_inquiries(inquiry_parts), f"CA{chunk:04d}")
    result.rows["ivr_session"] = ax.write_part(ctx.out_dir, "ivr_session", chunk, sessions_t)
    result.rows["call_record"] = ax.write_part(ctx.out_dir, "call_record", chunk, calls_t)
    result.rows["survey_response"] = ax.write_part(ctx.out_dir, "survey_response", chunk, surveys_t)
    result.rows["inquiry_import"] = ax.write_part(ctx.out_dir, "inquiry_import", part, inquiries_t)
    tables = {"ivr_session": sessions_t, "call_record": calls_t, "inquiry_import": inquiries_t}
    record_series(ctx, np.array(accounts), tables, result)
    return result


def _sessions_table(ctx: BookContext, account: int, s: Sessions, prefix: str) -> pa.Table:
    n = len(s.start)
    data = {
        "session_id": ax.numbered(f"IVR{prefix}", np.arange(n), 7),
        "group_id": ax.constant(ctx.sponsors[account].group_number, n),
        "started_at": ax.timestamps(s.start),
        "entry_point": ax.codes([i.entry_point for i in INTENTS], s.intent.astype(np.int64)),
        "menu_path": ax.codes([i.menu_path for i in INTENTS], s.intent.astype(np.int64)),
        "outcome": ax.codes(OUTCOMES, s.outcome.astype(np.int64)),
        "opted_out": ax.bools(s.opted_out),
        "seconds": pa.array(s.seconds.astype(np.int32)),
    }
    return ax.table(IVR_SESSION, data, n)


def _calls_table(ctx: BookContext, account: int, c: Calls, prefix: str) -> pa.Table:
    n = len(c.offered)
    session_ids = ax.numbered(f"IVR{prefix}", np.maximum(c.session, 0), 7)
    has_session = c.session >= 0
    reasons = [i.key for i in INTENTS] + ["sponsor_service"]
    reason_idx = np.where(c.intent >= 0, c.intent, len(INTENTS)).astype(np.int64)
    sponsor_line = c.queue == QUEUES.index("sponsor_line")
    data = {
        "call_id": ax.numbered(f"CL{prefix}", np.arange(n), 7),
        "group_id": ax.constant(ctx.sponsors[account].group_number, n),
        "queue": ax.codes(QUEUES, c.queue.astype(np.int64)),
        "line": ax.codes(["member", "sponsor"], sponsor_line.astype(np.int64)),
        "offered_at": ax.timestamps(c.offered),
        "answered": ax.bools(c.answered),
        "abandoned": ax.bools(c.abandoned),
        "wait_seconds": pa.array(c.wait.astype(np.int32)),
        "handle_seconds": pa.array(c.handle.astype(np.int32)),
        "resolved_first_contact": ax.bools(c.resolved & c.answered),
        "ivr_session_id": pa.array(session_ids.to_pylist(), type=pa.string()).filter(
            pa.array(np.ones(n, dtype=bool))
        )
        if n == 0
        else _masked(session_ids, has_session),
        "reason": ax.codes(reasons, reason_idx),
        "agent_id": _agents(account, sponsor_line, c.answered),
    }
    return ax.table(CALL_RECORD, data, n)


def _agents(account: int, sponsor_line: np.ndarray, answered: np.ndarray) -> pa.Array:
    """The agent who answered each call (null when nobody did): see ACCOUNT_TEAM_AGENTS."""
    n = len(sponsor_line)
    seq = np.arange(n, dtype=np.int64)
    lead, backup = account % ACCOUNT_TEAM_AGENTS, (account + 3) % ACCOUNT_TEAM_AGENTS
    team = np.where(seq % 4 == 3, backup, lead)
    centre = (account * 131 + seq * 17) % SERVICE_CENTRE_AGENTS
    names = [f"CM{k + 1:02d}" for k in range(ACCOUNT_TEAM_AGENTS)]
    names += [f"SC{k + 1:03d}" for k in range(SERVICE_CENTRE_AGENTS)]
    index = np.where(sponsor_line, team, ACCOUNT_TEAM_AGENTS + centre)
    return ax.codes(names, np.where(answered, index, -1))


def _masked(values: pa.Array, valid: np.ndarray) -> pa.Array:
    import pyarrow.compute as pc

    return pc.if_else(pa.array(valid), values, pa.nulls(len(values), pa.string()))


def _surveys_table(
    ctx: BookContext, account: int, member: SurveyRows, sponsor: SurveyRows, prefix: str
) -> pa.Table:
    survey = np.concatenate([member.survey, sponsor.survey]).astype(np.int64)
    sent = np.concatenate([member.sent, sponsor.sent])
    answered = np.concatenate([member.answered, sponsor.answered])
    nps = np.concatenate([member.nps, sponsor.nps])
    csat = np.concatenate([member.csat, sponsor.csat])
    verbatim = member.verbatim + sponsor.verbatim
    emails = member.contact_email + sponsor.contact_email
    # one row per invitation; answered_at and the scores are empty when nobody answered
    order = np.argsort(sent, kind="stable")
    answered_ok = answered[order] >= 0
    n = len(order)
    data = {
        "response_id": ax.numbered(f"SV{prefix}", np.arange(n), 6),
        "group_id": ax.constant(ctx.sponsors[account].group_number, n),
        "survey": ax.codes(["member", "sponsor"], survey[order]),
        "sent_at": ax.timestamps(sent[order]),
        "answered_at": ax.timestamps(answered[order], answered_ok),
        "nps_score": pa.array(nps[order].astype(np.int32), mask=~answered_ok),
        "csat": pa.array(csat[order].astype(np.int32), mask=~answered_ok),
        "verbatim": pa.array([verbatim[i] for i in order], type=pa.string()),
        "contact_email": pa.array([emails[i] for i in order], type=pa.string()),
    }
    return ax.table(SURVEY_RESPONSE, data, n)
