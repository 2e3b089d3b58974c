"""Survey results for the reports: invitations, responses, NPS and CSAT from the lake's
`survey_response` feed and the answers clientdesk collected (`lake.marts.survey_answers`).

Read through the analytics gateway. An invitation belongs to the period of its account-local
send date (`sent_at`; `answered_at` when no send time was recorded), so a response rate is
the share of that period's invitations that were answered, whenever the answer came back.
(The satisfaction guarantees date answers by `answered_at` instead; near a period's edges
their figures can differ from these.) Local dates use the guarantees' zone table
(`lake.local_time`).

Definitions: NPS = % promoters (9-10) - % detractors (0-6) of answers with an nps_score;
mean CSAT and % satisfied (csat 4-5) of answers with a csat. Counts of 1 to 10 responses are
suppressed (`<11`) with every score of that cell, as everywhere in the reports. Verbatims are
taken from the sponsor survey only: member comments never leave the team.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import ibis
import ibis.expr.types as ir
import pandas as pd

from clientdesk.lake.gateway import Lake, LakeError, Reader, open_lake
from clientdesk.lake.local_time import local_days, zone_rows
from clientdesk.lake.marts.operations import satisfied
from clientdesk.lake.marts.survey_answers import survey_answers
from clientdesk.lib import formatting
from clientdesk.lib.periods import Period, epoch_day
from clientdesk.lib.small_cells import is_small_cell
from clientdesk.reports.documents import SUPPRESSED, Cell, Column, Section, Table

SURVEYS = ("member", "sponsor")
SURVEY_LABELS = {"member": "Member survey", "sponsor": "Sponsor survey"}
MAX_VERBATIMS = 3
VERBATIM_CHARS = 200  # "short": longer comments are cut at a word boundary
SOURCE = "Sponsor and member survey invitations and answers, by the account's local send date"
VERBATIM_SOURCE = "Sponsor survey comments of the period, cut at a word boundary"
COUNT_COLUMNS = (
    "sent",
    "responses",
    "nps_n",
    "promoters",
    "detractors",
    "csat_n",
    "csat_sum",
    "satisfied",
)


def _dated(surveys: ir.Table, zones: ir.Table, first: dt.date, last: dt.date) -> ir.Table:
    """Invitations whose account-local send date (answer date when unsent) is in first..last,
    with `day` (epoch days). Grain: one row per invitation."""
    moment = surveys.sent_at.fill_null(surveys.answered_at)
    return local_days(surveys, moment, zones, epoch_day(first), epoch_day(last))


def survey_results(surveys: ir.Table, zones: ir.Table, first: dt.date, last: dt.date) -> ir.Table:
    """Survey counts of the invitations sent first..last. Grain: account_id x survey.

    Columns: sent (invitations), responses (answered), nps_n (answers with an nps_score),
    promoters (9-10), detractors (0-6), csat_n (answers with a csat), csat_sum, satisfied
    (csat 4-5)."""
    t = _dated(surveys, zones, first, last)
    answered = t.answered_at.notnull()
    return t.group_by(["account_id", "survey"]).aggregate(
        sent=t.count().cast("int64"),
        responses=t.count(where=answered).cast("int64"),
        nps_n=t.count(where=answered & t.nps_score.notnull()).cast("int64"),
        promoters=t.count(where=answered & (t.nps_score >= 9)).cast("int64"),
        detractors=t.count(where=answered & (t.nps_score <= 6)).cast("int64"),
        csat_n=t.count(where=answered & t.csat.notnull()).cast("int64"),
        csat_sum=t.csat.cast("int64").sum(where=answered).fill_null(0).cast("int64"),
        satisfied=t.count(where=answered & satisfied(t.csat)).cast("int64"),
    )


def sponsor_verbatims(
    surveys: ir.Table, zones: ir.Table, first: dt.date, last: dt.date
) -> ir.Table:
    """The latest sponsor-survey comments of the invitations sent first..last.
    Grain: one row per answered sponsor invitation with a comment; columns account_id,
    answered_at, response_id, verbatim (newest first, at most MAX_VERBATIMS rows)."""
    sponsor = surveys.filter(
        [surveys.survey == "sponsor", surveys.answered_at.notnull(), surveys.verbatim.notnull()]
    )
    t = _dated(sponsor, zones, first, last)
    t = t.mutate(verbatim=t.verbatim.strip())
    t = t.filter(t.verbatim.length() > 0)
    return (
        t.select("account_id", "answered_at", "response_id", "verbatim")
        .order_by([ibis.desc("answered_at"), "response_id"])
        .limit(MAX_VERBATIMS)
    )


@dataclass(frozen=True)
class SurveyFigures:
    """One survey's counts for one account (or several) and period."""

    survey: str
    sent: int = 0
    responses: int = 0
    nps_n: int = 0
    promoters: int = 0
    detractors: int = 0
    csat_n: int = 0
    csat_sum: int = 0
    satisfied: int = 0

    @property
    def suppressed(self) -> bool:
        return is_small_cell(self.responses)

    @property
    def response_rate(self) -> Decimal | None:
        if self.suppressed or not self.sent:
            return None
        return _round(Decimal(100 * self.responses) / self.sent, "0.1")

    @property
    def nps(self) -> Decimal | None:
        if self.suppressed or not self.nps_n:
            return None
        return _round(Decimal(100 * (self.promoters - self.detractors)) / self.nps_n, "0.1")

    @property
    def csat_mean(self) -> Decimal | None:
        if self.suppressed or not self.csat_n:
            return None
        return _round(Decimal(self.csat_sum) / self.csat_n, "0.01")

    @property
    def satisfied_pct(self) -> Decimal | None:
        if self.suppressed or not self.csat_n:
            return None
        return _round(Decimal(100 * self.satisfied) / self.csat_n, "0.1")

    def plus(self, other: SurveyFigures) -> SurveyFigures:
        return SurveyFigures(
            self.survey,
            *(getattr(self, c) + getattr(other, c) for c in COUNT_COLUMNS),
        )


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def shown_count(count: int) -> int | str:
    """A count of invitations or responses as the reports print it: 1 to 10 is "<11"."""
    return SUPPRESSED if is_small_cell(count) else count


@dataclass(frozen=True)
class Satisfaction:
    """The survey figures of one period and the one before, per account and survey."""

    current: dict[tuple[int, str], SurveyFigures]
    prior: dict[tuple[int, str], SurveyFigures]
    verbatims: list[str]

    def figures(self, account_id: int | None, survey: str, *, prior: bool = False) -> SurveyFigures:
        """One account's figures for a survey (account_id None: every account's, added)."""
        table = self.prior if prior else self.current
        if account_id is not None:
            return table.get((account_id, survey), SurveyFigures(survey))
        total = SurveyFigures(survey)
        for (_, name), figures in table.items():
            if name == survey:
                total = total.plus(figures)
        return total

    @property
    def any_invitations(self) -> bool:
        return any(f.sent for f in [*self.current.values(), *self.prior.values()])


def _frame_figures(frame: pd.DataFrame) -> dict[tuple[int, str], SurveyFigures]:
    out: dict[tuple[int, str], SurveyFigures] = {}
    for row in frame.to_dict("records"):
        survey = str(row["survey"])
        if survey not in SURVEYS:
            continue
        out[(int(row["account_id"]), survey)] = SurveyFigures(
            survey, *(int(row[c]) for c in COUNT_COLUMNS)
        )
    return out


def short_text(text: str, limit: int = VERBATIM_CHARS) -> str:
    """A comment on one line, cut at a word boundary to at most `limit` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if flat[limit - 1] != " ":  # the cut fell inside a word: drop that word
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-") + "…"


def read_satisfaction(
    lake: Lake,
    account_zones: Mapping[int, str],
    period: Period,
    *,
    verbatims: bool = True,
) -> Satisfaction:
    """The survey figures of `period` and `period.prior()` for the lake's scope (one query
    per period), and, when asked, up to three sponsor verbatims of `period`. `account_zones`
    maps every account the scope holds to its time zone (accounts not in it are left out)."""
    prior = period.prior()
    if not account_zones:
        return Satisfaction({}, {}, [])
    zones = zone_rows(account_zones, prior.start, period.last_day)
    # The feed's answers and the ones clientdesk collected (lib.survey_answers).
    surveys = survey_answers(lake, prior.start, period.last_day)
    current = _frame_figures(
        lake.execute(survey_results(surveys, zones, period.start, period.last_day))
    )
    before = _frame_figures(
        lake.execute(survey_results(surveys, zones, prior.start, prior.last_day))
    )
    comments: list[str] = []
    if verbatims:
        frame = lake.execute(sponsor_verbatims(surveys, zones, period.start, period.last_day))
        comments = [short_text(str(v)) for v in frame["verbatim"]]
    return Satisfaction(current, before, comments)


# --- report sections ---------------------------------------------------------------------

NOTE = (
    "NPS = % promoters (9-10) minus % detractors (0-6). Invitations are dated by their "
    "account-local send date; responses are the answers to them. Fewer than 11 responses: "
    "shown as <11, with no scores."
)


def load_satisfaction(
    reader: Reader,
    account_zones: Mapping[int, str],
    period: Period,
    *,
    engine: str | None = None,
    verbatims: bool = True,
) -> Satisfaction | str:
    """`read_satisfaction` of the accounts of `account_zones`, on a lake opened for the reader
    (never wider than the reader's scope), or the one-line reason it failed."""
    try:
        with open_lake(reader, accounts=list(account_zones), engine=engine) as lake:
            return read_satisfaction(lake, account_zones, period, verbatims=verbatims)
    except LakeError as error:
        return f"Survey results could not be read: {error}"


def _sentence(figures: SurveyFigures, prior: SurveyFigures, label: str) -> str:
    name = SURVEY_LABELS[figures.survey]
    if not figures.sent and not figures.responses:
        return f"{name}: no invitations sent in {label}."
    head = (
        f"{name}, {label}: {shown_count(figures.sent)} invitations, "
        f"{shown_count(figures.responses)} responses"
    )
    if figures.suppressed:
        return head + ": fewer than 11, so the scores are suppressed."
    if not figures.responses:
        return head + "."
    parts = [f"{head} ({_text(figures.response_rate, '%')})"]
    parts.append(
        f"NPS {_text(figures.nps, signed=True)}"
        + (f" (prior {_text(prior.nps, signed=True)})" if prior.nps is not None else "")
    )
    parts.append(f"mean CSAT {_text(figures.csat_mean)}")
    parts.append(f"{_text(figures.satisfied_pct, '%')} satisfied")
    return "; ".join(parts) + "."


def _text(value: Decimal | None, suffix: str = "", *, signed: bool = False) -> str:
    """A survey figure at its own precision (12.5, 4.2), a percent or a signed score."""
    if value is None:
        return formatting.DASH
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if suffix == "%":
        return formatting.percent(value, places)
    text = formatting.number(value, places) + suffix
    return "+" + text if signed and value > 0 else text


def _row(figures: SurveyFigures, label: str) -> list[Cell]:
    return [
        SURVEY_LABELS[figures.survey],
        label,
        shown_count(figures.sent),
        shown_count(figures.responses),
        figures.response_rate,
        figures.nps,
        figures.csat_mean,
        figures.satisfied_pct,
    ]


def own_surveys_sentence(account_id: int, period: Period, *, of_these: bool = True) -> str | None:
    """The surveys clientdesk ran itself (and imported exports) for the account in the period,
    through the surveys app's one metric, with their effort score; None when there were none.
    The section's table already counts them (`survey_answers`): this says their share
    ("Of these, ..."), or, `of_these` False, stands alone.
    Small cells as above."""
    from clientdesk.surveys.queries import db_counts
    from clientdesk.surveys.satisfaction import Figures as SurveyMetric

    counts = db_counts(period.start, period.last_day, accounts=[account_id]).get(account_id)
    if counts is None or not (counts.sent or counts.responses):
        return None
    f = SurveyMetric(counts)
    head = (
        f"{'Of these, our' if of_these else 'Our'} own surveys and imported exports, "
        f"{period.label}: "
        f"{shown_count(counts.sent)} invitations, "
        f"{shown_count(counts.responses)} responses"
    )
    if f.suppressed:
        return head + ": fewer than 11, so the scores are suppressed."
    if not counts.responses:
        return head + "."
    parts = [head + (f" ({_text(f.response_rate, '%')})" if f.response_rate is not None else "")]
    if f.nps is not None:
        parts.append(f"NPS {_text(f.nps, signed=True)}")
    if f.csat is not None:
        parts.append(f"{_text(f.csat, '%')} satisfied")
    if f.ces is not None:
        parts.append(f"effort (CES, 1-7) {_text(f.ces)}")
    return "; ".join(parts) + "."


def stewardship_section(result: Satisfaction | str, account_id: int, period: Period) -> Section:
    """The stewardship report's satisfaction section: one account, the period and the one
    before, and up to three sponsor comments."""
    section = Section("satisfaction", "Satisfaction")
    if isinstance(result, str):
        section.bullets.append(result)
        return section
    prior = period.prior()
    if not result.any_invitations:
        section.bullets.append(
            f"No sponsor or member survey invitations were sent in {period.label} or {prior.label}."
        )
        return section
    rows: list[list[Cell]] = []
    for survey in SURVEYS:
        now = result.figures(account_id, survey)
        before = result.figures(account_id, survey, prior=True)
        section.bullets.append(_sentence(now, before, period.label))
        rows += [_row(now, period.label), _row(before, prior.label)]
    section.tables.append(
        Table(
            "Satisfaction",
            "Survey results: invitations, responses, NPS and CSAT",
            SOURCE,
            [
                Column("Survey"),
                Column("Period"),
                Column("Invitations", "int"),
                Column("Responses", "int"),
                Column("Response rate %", "pct"),
                Column("NPS", "tenths"),
                Column("Mean CSAT (1-5)", "hundredths"),
                Column("% satisfied (4-5)", "pct"),
            ],
            rows,
            NOTE,
        )
    )
    section.tables.append(
        Table(
            "Sponsor comments",
            f"Sponsor survey comments, {period.label}",
            VERBATIM_SOURCE,
            [Column("Comment")],
            [[v] for v in result.verbatims],
            f"Sponsor survey only, newest first, at most {MAX_VERBATIMS}, cut to "
            f"{VERBATIM_CHARS} characters; member survey comments are never shown.",
        )
    )
    return section


def portfolio_section(
    result: Satisfaction | str, accounts: list[tuple[int, str, str]], period: Period
) -> Section:
    """The portfolio's NPS by account (`accounts`: id, name, group number), with the prior
    period and a row for all of them; accounts without invitations in either period are left
    out."""
    section = Section("satisfaction", "Satisfaction by account")
    if isinstance(result, str):
        section.bullets.append(result)
        return section
    rows: list[list[Cell]] = []

    def row(name: str, group: str, account_id: int | None) -> list[Cell]:
        cells: list[Cell] = [name, group]
        for survey in SURVEYS:
            now = result.figures(account_id, survey)
            cells += [
                shown_count(now.responses),
                now.nps,
                result.figures(account_id, survey, prior=True).nps,
            ]
        return cells

    surveyed = {account_id for account_id, _ in [*result.current, *result.prior]}
    for account_id, name, group in sorted(accounts, key=lambda a: a[1]):
        if account_id in surveyed:
            rows.append(row(name, group, account_id))
    if not rows:
        section.bullets.append(
            f"No survey invitations were sent in {period.label} or {period.prior().label}."
        )
    else:
        rows.append(row("All accounts", "", None))
    section.tables.append(
        Table(
            "Satisfaction",
            "NPS by account (member and sponsor surveys)",
            SOURCE + ", for every visible account",
            [
                Column("Account"),
                Column("Group"),
                Column("Member responses", "int"),
                Column("Member NPS", "tenths"),
                Column("Member NPS prior", "tenths"),
                Column("Sponsor responses", "int"),
                Column("Sponsor NPS", "tenths"),
                Column("Sponsor NPS prior", "tenths"),
            ],
            rows,
            NOTE,
        )
    )
    return section
