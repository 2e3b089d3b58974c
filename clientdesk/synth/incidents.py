"""Incident planning: which accounts get which problems, when, how strong, and which
performance guarantees they make miss.

Grain: one ``Incident`` per injected problem. Incidents are sized from each account's
expected daily volumes (enrolled members x the generators' rates) so that an incident meant
to break a guarantee misses it clearly and every other guarantee keeps a clear margin; the
planner computes the expected metric per affected period and re-draws the parameters when
a result would land near a target. ``tests/test_guarantees.py`` recomputes every guarantee
from the written feeds and checks that exactly the planned misses occur.

Durations are 5-45 days, incidents of one account never overlap, each starts at least 56
days after the account's coverage starts (so detectors have a baseline), and some accounts
get none (accounts large enough for member-services call surges always get those;
``service-guarantees-detection.md`` §2.6: semi-synthetic injection for
evaluation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from clientdesk.synth.contact_center import INTENTS, expected_sessions
from clientdesk.synth.geography import STATE_INDEX
from clientdesk.synth.incident_model import Incident
from clientdesk.synth.inquiries import INCIDENT_CATEGORY, expected_inquiries
from clientdesk.synth.params import Window, day_number
from clientdesk.synth.population import Population
from clientdesk.synth.providers import ProviderDirectory
from clientdesk.synth.quotas import quarter_label, quarter_of
from clientdesk.synth.random_streams import Stream, stream
from clientdesk.synth.service_levels import METRICS
from clientdesk.synth.sponsors import Sponsor, coverage_start_day

MISS_KINDS: dict[str, tuple[str, ...]] = {
    "claims_backlog": ("claims_turnaround", "auto_adjudication_rate"),
    "claims_pricing_error": ("financial_accuracy",),
    "call_center_understaffing": ("average_speed_of_answer", "abandonment_rate"),
    "ivr_outage": ("ivr_containment",),
}
VOLUME_KINDS = (
    "id_card_misprint",
    "eligibility_load_error",
    "pharmacy_formulary_change",
    "provider_directory_error",
    "invoice_error",
    "prior_auth_config_denials",
)
PA_CODES = ("72148", "73721", "70553")
BASELINE_DAYS = 56
CLAIMS_PER_MEMBER_YEAR = 7.7
INSTITUTIONAL_PER_MEMBER_YEAR = 0.65
AVG_PAID = 650.0
AVG_INSTITUTIONAL_PAID = 5100.0
"""Claim volumes and paid amounts of the generated book (measured; used to size incidents)."""
MIN_EVENTS = 8.0
"""Fewest expected extra events in an incident's series (so every incident is visible)."""
PA_DENIALS_PER_MEMBER_YEAR = 0.14 * 0.45 * 0.48 * 0.9 * 0.87
"""Advanced imaging claims x freestanding x MRI codes x rerouted x denied, per member-year."""
MIN_AFFECTED = 40.0
"""Fewest expected affected events for an incident meant to miss a guarantee."""
SURGE_MIN_PER_DAY = 5.75
"""Fewest expected member-services calls a day for a call surge: ``member_calls`` runs about
12 % above the files (IVR hang-ups, holidays), so the observed baseline stays >= 5 / day."""
SURGE_GAP_DAYS = (60, 81)
SURGE_DURATION_DAYS = (10, 22)
SURGE_OBSERVED_MULTIPLIER = (2.3, 2.7)
"""Surge spacing, length and observed step. 60 days apart, the 56-day baseline of a detector
(3 guard days) before each surge holds no earlier one; earlier surges still raise the mean
since coverage start that the ground truth measures against. About five or six fit per jumbo
account in 24 months."""
LEVEL_ATTRIBUTE = {
    "average_speed_of_answer": "asa_seconds",
    "abandonment_rate": "abandonment_pct",
    "first_contact_resolution": "fcr_pct",
    "claims_turnaround": "turnaround_pct",
    "financial_accuracy": "financial_accuracy_pct",
    "auto_adjudication_rate": "auto_adjudication_pct",
    "ivr_containment": "ivr_containment_pct",
}


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter clipped to the window."""

    number: int
    first: int
    last: int

    @property
    def label(self) -> str:
        """``2025Q3``."""
        return quarter_label(self.number)


def window_quarters(window: Window) -> list[Quarter]:
    """Quarters overlapping the window (clipped to it)."""
    days = np.arange(window.first_day, window.last_day + 1)
    q = quarter_of(days)
    out = []
    for number in np.unique(q).tolist():
        sel = days[q == number]
        out.append(Quarter(int(number), int(sel[0]), int(sel[-1])))
    return out


def client_guarantee(sponsor: Sponsor, metric: str, quarter: Quarter) -> float | None:
    """Target of a client-level guarantee on ``metric`` in force during ``quarter``."""
    for contract in sponsor.contracts:
        start, end = day_number(contract.start_date), day_number(contract.end_date)
        if end < quarter.first or start > quarter.last:
            continue
        for g in contract.guarantees:
            if g.metric == metric and g.level == "client":
                return float(g.target)
    return None


class Planner:
    """Builds the incident list for a book (see module docstring)."""

    def __init__(
        self,
        sponsors: list[Sponsor],
        population: Population,
        directory: ProviderDirectory,
        window: Window,
        active: np.ndarray,
        seed: int,
    ) -> None:
        self.sponsors = sponsors
        self.population = population
        self.directory = directory
        self.window = window
        self.active = active.astype(np.float64)
        self.rng = stream(seed, Stream.INCIDENTS)
        self.quarters = window_quarters(window)
        self.busy: dict[int, list[tuple[int, int]]] = {}
        self.incidents: list[Incident] = []

    # ---- volumes ------------------------------------------------------------------------
    def sessions(self, account: int) -> np.ndarray:
        """Expected IVR sessions per day."""
        return expected_sessions(self.active[account], self.window)

    def member_calls(self, account: int, queue: str | None = None) -> np.ndarray:
        """Expected member-line calls per day (optionally one queue)."""
        c0 = self.sponsors[account].levels.ivr_containment_pct / 100.0
        share = np.array([i.share for i in INTENTS])
        keep = 1.0 - np.array([i.containment for i in INTENTS])
        transferred = share * keep
        transferred = transferred / transferred.sum() * (1.0 - c0) * 0.95
        if queue is not None:
            transferred = transferred * np.array([i.queue == queue for i in INTENTS])
        factor = float(transferred.sum()) / float(share.sum())
        return np.asarray(self.sessions(account) * factor)

    def claims(self, account: int) -> np.ndarray:
        """Relative claim flow per day (proportional to enrolled members)."""
        return np.asarray(self.active[account])

    def _slice(self, arr: np.ndarray, first: int, last: int) -> float:
        lo, hi = first - self.window.first_day, last - self.window.first_day
        return float(arr[max(lo, 0) : max(hi + 1, 0)].sum())

    # ---- placement --------------------------------------------------------------------------
    def _free(self, account: int, start: int, end: int) -> bool:
        return all(end + 14 < s or start > e + 14 for s, e in self.busy.get(account, []))

    def _earliest(self, account: int) -> int:
        return coverage_start_day(self.sponsors[account], self.window.first_day) + BASELINE_DAYS

    def _place_anywhere(self, account: int, duration: int) -> tuple[int, int] | None:
        lo = self._earliest(account)
        hi = self.window.last_day - 10 - duration
        for _ in range(30):
            if hi <= lo:
                return None
            start = int(self.rng.integers(lo, hi))
            end = start + duration - 1
            if self._free(account, start, end):
                return start, end
        return None

    def _place_in_quarter(
        self, account: int, duration: int, spill: int
    ) -> tuple[int, int, Quarter] | None:
        lo = self._earliest(account)
        options = [
            q
            for q in self.quarters
            if q.first >= lo and q.last - q.first > 80 and q.last <= self.window.last_day - 5
        ]
        options = [options[k] for k in self.rng.permutation(len(options))]
        for q in options:
            latest = q.last - spill - duration
            if latest <= q.first + 2:
                continue
            start = int(self.rng.integers(q.first + 2, latest))
            end = start + duration - 1
            if self._free(account, start, end):
                return start, end, q
        return None

    def _reserve(self, account: int, start: int, end: int) -> None:
        self.busy.setdefault(account, []).append((start, end))

    # ---- expected metrics -----------------------------------------------------------------
    def _quarter_flows(
        self, flow: np.ndarray, affected: np.ndarray
    ) -> list[tuple[Quarter, float, float]]:
        """(quarter, total expected, affected expected) for quarters with any flow."""
        out = []
        for q in self.quarters:
            total = self._slice(flow, q.first, q.last)
            hit = self._slice(affected, q.first, q.last)
            if total > 0:
                out.append((q, total, hit))
        return out

    @staticmethod
    def _classify(
        metric: str, value: float, target: float, intended: bool, precise: bool = False
    ) -> str:
        """'miss', 'meet' or 'unclear' (too near the target to promise either).

        ``precise`` halves the meet margin for book-of-business values, which average
        thousands of events and carry little noise.
        """
        spec = METRICS[metric]
        if spec.unit == "seconds":
            miss_margin, meet_margin = 0.3 * target, 0.2 * target
        elif metric == "financial_accuracy":
            miss_margin, meet_margin = 1.5, 0.3
        else:
            miss_margin, meet_margin = 3.0, 1.5
        if precise:
            meet_margin /= 2
        if spec.comparator == "<=":
            if value >= target + miss_margin:
                return "miss" if intended else "unclear"
            if value <= target - meet_margin:
                return "meet"
        else:
            if value <= target - miss_margin:
                return "miss" if intended else "unclear"
            if value >= target + meet_margin:
                return "meet"
        return "unclear"

    def _evaluate(
        self, account: int, expected: dict[str, list[tuple[Quarter, float]]], intended: bool
    ) -> tuple[bool, list[tuple[str, str]], dict[str, dict[str, float]]]:
        """Classify expected values; returns (acceptable, misses, expected table)."""
        sponsor = self.sponsors[account]
        misses: list[tuple[str, str]] = []
        table: dict[str, dict[str, float]] = {}
        for metric, per_quarter in expected.items():
            for q, value in per_quarter:
                table.setdefault(metric, {})[q.label] = round(value, 3)
                target = client_guarantee(sponsor, metric, q)
                if target is None:
                    continue
                verdict = self._classify(metric, value, target, intended)
                if verdict == "unclear":
                    return False, [], table
                if verdict == "miss":
                    misses.append((metric, q.label))
        if intended and not misses:
            return False, [], table
        return True, misses, table

    # ---- incident kinds ---------------------------------------------------------------------
    def understaffing(self, account: int, intended: bool) -> Incident | None:
        """Member-services understaffing: long waits and abandons (ASA, abandonment)."""
        lv = self.sponsors[account].levels
        for _ in range(12):
            if intended:
                duration = int(self.rng.integers(25, 46))
                wait_mult = float(self.rng.uniform(7.0, 12.0))
                p_ab = float(self.rng.uniform(0.18, 0.3))
                placed = self._place_in_quarter(account, duration, 2)
            else:
                duration = int(self.rng.integers(5, 11))
                wait_mult = float(self.rng.uniform(1.8, 2.8))
                p_ab = float(self.rng.uniform(0.03, 0.05))
                placed_any = self._place_anywhere(account, duration)
                placed = None if placed_any is None else (*placed_any, self.quarters[0])
            if placed is None:
                return None
            start, end, _ = placed
            member = self.member_calls(account)
            ms = self.member_calls(account, "member_services")
            hit = np.zeros_like(ms)
            hit[start - self.window.first_day : end - self.window.first_day + 1] = 1.0
            ms_hit = ms * hit
            if ms_hit.sum() * p_ab < (MIN_AFFECTED / 4 if intended else MIN_EVENTS):
                continue
            asa, ab = [], []
            for q, total, affected in self._quarter_flows(member, ms_hit):
                f = affected / total
                answered_base = (1 - f) * (1 - lv.abandonment_pct / 100)
                answered_hit = f * (1 - p_ab)
                value = (
                    lv.asa_seconds * answered_base + lv.asa_seconds * wait_mult * answered_hit
                ) / (answered_base + answered_hit)
                asa.append((q, value))
                ab.append((q, 100 * ((1 - f) * lv.abandonment_pct / 100 + f * p_ab)))
            ok, misses, table = self._evaluate(
                account, {"average_speed_of_answer": asa, "abandonment_rate": ab}, intended
            )
            if not ok:
                continue
            base_rate = lv.abandonment_pct / 100 + 0.004
            baseline = self._mean_before(ms * base_rate, start)
            inc = Incident(
                id="",
                account=account,
                kind="call_center_understaffing",
                start=start,
                end=end,
                feed="call_record",
                dimension={"queue": "member_services", "abandoned": True},
                multiplier=round(p_ab / base_rate, 2),
                baseline_per_day=baseline,
                date_column="offered_at",
                params={
                    "queue": "member_services",
                    "wait_multiplier": round(wait_mult, 3),
                    "abandon_probability": round(p_ab, 4),
                },
                misses=misses,
                expected_metrics=table,
                description=(
                    f"Member-services staffing shortfall: answer times about "
                    f"{wait_mult:.0f}x normal and {100 * p_ab:.0f} % of calls "
                    f"abandoned."
                ),
            )
            return inc
        return None

    def ivr_outage(self, account: int, intended: bool) -> Incident | None:
        """IVR speech/menu failure: nothing is contained, callers zero out and retry."""
        lv = self.sponsors[account].levels
        c0 = lv.ivr_containment_pct / 100
        for _ in range(12):
            if intended:
                duration = int(self.rng.integers(38, 46))
                retry = float(self.rng.uniform(1.4, 1.7))
                placed = self._place_in_quarter(account, duration, 1)
            else:
                duration = int(self.rng.integers(3, 9))
                retry = float(self.rng.uniform(1.2, 1.4))
                placed_any = self._place_anywhere(account, duration)
                placed = None if placed_any is None else (*placed_any, self.quarters[0])
            if placed is None:
                return None
            start, end, _ = placed
            s = self.sessions(account)
            hit = np.zeros_like(s)
            hit[start - self.window.first_day : end - self.window.first_day + 1] = 1.0
            if (s * hit).sum() < (MIN_AFFECTED * 2 if intended else MIN_EVENTS * 2):
                continue
            contained = []
            for q, total, affected in self._quarter_flows(s, s * hit):
                base = total - affected
                value = (c0 * base + 0.02 * retry * affected) / (base + retry * affected)
                contained.append((q, 100 * value))
            ok, misses, table = self._evaluate(account, {"ivr_containment": contained}, intended)
            if not ok:
                continue
            p_opt_base = (1 - c0) * 0.95 * 0.55 + (1 - c0) * 0.05 * 0.2
            p_opt_out = 0.98 * 0.9 * 0.87
            baseline = self._mean_before(s * p_opt_base, start)
            return Incident(
                id="",
                account=account,
                kind="ivr_outage",
                start=start,
                end=end,
                feed="ivr_session",
                dimension={"opted_out": True},
                multiplier=round(retry * p_opt_out / p_opt_base, 2),
                baseline_per_day=baseline,
                date_column="started_at",
                params={"retry_multiplier": round(retry, 3)},
                misses=misses,
                expected_metrics=table,
                description=(
                    "IVR speech recognition failed after a vendor release; callers "
                    "could not self-serve, zeroed out to agents and called back."
                ),
            )
        return None

    def backlog(self, account: int, intended: bool) -> Incident | None:
        """Claims pended for pricing (contract rates not loaded) and worked late."""
        lv = self.sponsors[account].levels
        for _ in range(12):
            if intended:
                duration = int(self.rng.integers(20, 41))
                p = float(self.rng.uniform(0.55, 0.85))
                lo, hi = 14, 30
                placed = self._place_in_quarter(account, duration, hi + 2)
            else:
                duration = int(self.rng.integers(5, 11))
                p = float(self.rng.uniform(0.25, 0.45))
                lo, hi = 12, 20
                placed_any = self._place_anywhere(account, duration)
                placed = None if placed_any is None else (*placed_any, self.quarters[0])
            if placed is None:
                return None
            start, end, _ = placed
            flow = self.claims(account)
            hit = np.zeros_like(flow)
            first = self.window.first_day
            shift = (lo + hi) // 2
            a, b = start - first + shift, end - first + shift
            if b >= len(hit):
                continue
            hit[a : b + 1] = flow[start - first : end - first + 1] * p
            per_day = CLAIMS_PER_MEMBER_YEAR / 365.0
            if hit.sum() * per_day < (MIN_AFFECTED if intended else MIN_EVENTS):
                continue
            tat, auto = [], []
            for q, total, affected in self._quarter_flows(flow, hit):
                f = affected / total
                late = (1 - lv.turnaround_pct / 100) * (1 - f) + f
                tat.append((q, 100 * (1 - late)))
                auto.append((q, lv.auto_adjudication_pct * (1 - f)))
            ok, misses, table = self._evaluate(
                account, {"claims_turnaround": tat, "auto_adjudication_rate": auto}, intended
            )
            if not ok:
                continue
            return Incident(
                id="",
                account=account,
                kind="claims_backlog",
                start=start,
                end=end,
                feed="claim_processing",
                dimension={"pend_reason": "pricing"},
                multiplier=0.0,
                date_column="received_date",
                params={"pend_probability": round(p, 4), "delay_min": lo, "delay_max": hi},
                misses=misses,
                expected_metrics=table,
                description=(
                    "Renewed provider contract rates were not loaded; claims pended "
                    "for pricing and were worked weeks late."
                ),
            )
        return None

    def pricing_error(self, account: int) -> Incident | None:
        """Facility fee schedule loaded wrong for the account's network: institutional claims
        overpaid; a focused audit of those claims finds the errors."""
        lv = self.sponsors[account].levels
        for _ in range(12):
            duration = int(self.rng.integers(12, 36))
            placed = self._place_in_quarter(account, duration, 3)
            if placed is None:
                return None
            start, end, _ = placed
            over = float(self.rng.uniform(0.3, 0.6))
            audit_share = 0.35
            flow = self.claims(account) / 365.0
            first = self.window.first_day
            hit = np.zeros_like(flow)
            hit[start - first : end - first + 1] = flow[start - first : end - first + 1]
            if hit.sum() * INSTITUTIONAL_PER_MEMBER_YEAR * audit_share < 12:
                continue
            fa = []
            for q, total, affected in self._quarter_flows(flow, hit):
                base = max(25.0, 0.03 * total * CLAIMS_PER_MEMBER_YEAR) * AVG_PAID
                focus = (
                    audit_share * affected * INSTITUTIONAL_PER_MEMBER_YEAR * AVG_INSTITUTIONAL_PAID
                )
                err = (1 - lv.financial_accuracy_pct / 100) * base + over / (1 + over) * focus
                fa.append((q, 100 * (1 - err / (base + focus))))
            ok, misses, table = self._evaluate(account, {"financial_accuracy": fa}, True)
            if not ok:
                continue
            return Incident(
                id="",
                account=account,
                kind="claims_pricing_error",
                start=start,
                end=end,
                feed="claim_processing",
                dimension={"audit_finding": "overpayment"},
                multiplier=0.0,
                date_column="finalized_date",
                params={
                    "claim_type": "institutional",
                    "overpay_fraction": round(over, 4),
                    "audit_share": audit_share,
                },
                misses=misses,
                expected_metrics=table,
                description=(
                    f"The facility fee schedule renewed for this account's network was "
                    f"loaded with the wrong conversion factor; institutional claims "
                    f"were overpaid about {100 * over:.0f} % until a focused audit "
                    f"caught it."
                ),
            )
        return None

    def volume(self, account: int, kind: str) -> Incident | None:
        """Volume incidents that raise inquiries, calls or denials without missing a PG;
        small accounts get longer, stronger ones, or none when even that stays invisible."""
        for attempt in range(6):
            inc = self._volume_once(account, kind, attempt)
            if inc is not None:
                return inc
        return None

    def _volume_once(self, account: int, kind: str, attempt: int) -> Incident | None:
        rng = self.rng
        duration = int(rng.integers(min(5 + 8 * attempt, 40), 46))
        placed = self._place_anywhere(account, duration)
        if placed is None:
            return None
        start, end = placed
        sponsor = self.sponsors[account]
        if kind == "prior_auth_config_denials":
            members = float(self.active[account][start - self.window.first_day])
            expected_denials = members * duration / 365.0 * PA_DENIALS_PER_MEMBER_YEAR
            if expected_denials < MIN_EVENTS:
                return None
            state = STATE_INDEX[sponsor.state.code]
            provider = int(
                self.directory.pick_org(
                    "imaging", np.array([state]), np.array([int(rng.integers(1 << 30))])
                )[0]
            )
            return Incident(
                id="",
                account=account,
                kind=kind,
                start=start,
                end=end,
                feed="claim_processing",
                dimension={"carc": "197"},
                multiplier=0.0,
                date_column="finalized_date",
                params={
                    "hcpcs_codes": ",".join(PA_CODES),
                    "provider_row": provider,
                    "billing_npi": self.directory.npi[provider],
                    "reroute_share": 0.9,
                    "deny_probability": round(float(rng.uniform(0.8, 0.95)), 3),
                    "call_multiplier": 1.3,
                },
                description=(
                    f"Prior-authorization exemption for MRIs (CPT {', '.join(PA_CODES)}) "
                    f"dropped for {self.directory.name[provider]} in a configuration "
                    f"release: approved MRIs denied with CARC 197."
                ),
            )
        category, _ = INCIDENT_CATEGORY.get(kind, ("claims", ""))
        expected = expected_inquiries(self.active[account], self.window, category)
        if category in ("billing_fees", "reports"):
            from clientdesk.synth.calendar_effects import contact_factor

            expected = expected * 0.6 + 0.004 * contact_factor(self.window, business=True)
        mult = float(rng.uniform(3.0, 9.0 + 3.0 * attempt))
        lo, hi = start - self.window.first_day, end - self.window.first_day
        if float(expected[lo : hi + 1].sum()) * (mult - 1.0) < MIN_EVENTS:
            return None
        texts = {
            "id_card_misprint": "ID cards printed with the wrong Rx BIN/PCN; pharmacies reject "
            "them and members call.",
            "eligibility_load_error": "An eligibility file load termed active employees; "
            "claims deny CARC 27 and pharmacies reject members.",
            "pharmacy_formulary_change": "Mid-year formulary change moved common brands to "
            "non-preferred without member notice.",
            "provider_directory_error": "Provider directory shows a departed medical group as "
            "in network; members are balance billed.",
            "invoice_error": "Monthly invoice billed terminated employees; sponsor finance "
            "escalates.",
        }
        params: dict[str, float | int | str] = {"inquiry_multiplier": round(mult, 3)}
        secondary: list[dict[str, object]] = []
        if kind == "id_card_misprint":
            params["call_multiplier"] = round(1 + (mult - 1) * 0.3, 3)
        elif kind == "eligibility_load_error":
            params["member_share"] = round(float(rng.uniform(0.05, 0.2)), 3)
            params["deny_probability"] = 0.85
            params["call_multiplier"] = round(1 + (mult - 1) * 0.25, 3)
            secondary.append(
                {
                    "feed": "claim_processing",
                    "dimension": {"carc": "27"},
                    "date_column": "finalized_date",
                }
            )
        elif kind == "pharmacy_formulary_change":
            params["call_multiplier"] = round(float(rng.uniform(1.8, 3.0)), 3)
            secondary.append(
                {
                    "feed": "call_record",
                    "dimension": {"queue": "pharmacy"},
                    "date_column": "offered_at",
                }
            )
        elif kind == "provider_directory_error":
            params["call_multiplier"] = 1.5
        return Incident(
            id="",
            account=account,
            kind=kind,
            start=start,
            end=end,
            feed="inquiry_import",
            dimension={"category": category},
            multiplier=round(mult, 2),
            baseline_per_day=self._mean_before(expected, start),
            date_column="opened_at",
            params=params,
            secondary=secondary,
            description=texts[kind],
        )

    def surges(self, account: int) -> list[Incident]:
        """Member-services call surges (a plan change or a mailing that sends members to the
        phone) on accounts with at least ``SURGE_MIN_PER_DAY`` expected calls a day.

        A chain through the window, 60-80 days apart, 10-21 days long, each multiplier
        chosen so calls during it are 2.3-2.7x the mean from coverage start to the day before
        (earlier surges included, as ``ground_truth.json`` measures it); a span that would need
        more than 3x (short, over holidays) is skipped, and the multiplier is at least 2x.
        Quotas keep answer speed, abandonment, resolution and containment at the account's
        levels, so surges miss no guarantee; quarters where another incident of the account
        misses one are skipped (extra calls would dilute the miss).
        """
        first = self.window.first_day
        coverage = max(coverage_start_day(self.sponsors[account], first), first) - first
        ms = self.member_calls(account, "member_services")
        if coverage >= ms.size or float(ms[coverage:].mean()) < SURGE_MIN_PER_DAY:
            return []
        blocked = {
            label for inc in self.incidents if inc.account == account for _, label in inc.misses
        }
        flow = ms.copy()  # expected calls with the surges placed so far
        out: list[Incident] = []
        cursor = self._earliest(account)
        while True:
            start = cursor + int(self.rng.integers(*SURGE_GAP_DAYS))
            end = start + int(self.rng.integers(*SURGE_DURATION_DAYS)) - 1
            if end > self.window.last_day - 10:
                return out
            quarters = {quarter_label(int(q)) for q in quarter_of(np.array([start, end]))}
            if quarters & blocked or not self._free(account, start, end):
                cursor = start
                continue
            a, b = start - first, end - first
            target = float(self.rng.uniform(*SURGE_OBSERVED_MULTIPLIER))
            ratio = float(flow[coverage:a].mean()) / float(ms[a : b + 1].mean())
            if target * ratio > 3.0:  # a short span over holidays and weekends: skip it
                cursor = start
                continue
            mult = round(max(target * ratio, 2.0), 3)
            flow[a : b + 1] = ms[a : b + 1] * mult
            self._reserve(account, start, end)
            cursor = end
            out.append(
                Incident(
                    id="",
                    account=account,
                    kind="member_call_surge",
                    start=start,
                    end=end,
                    feed="call_record",
                    dimension={"queue": "member_services"},
                    multiplier=mult,
                    baseline_per_day=self._mean_before(ms, start),
                    date_column="offered_at",
                    params={"call_multiplier": mult},
                    description=(
                        f"A benefit change mailed to members without a call-centre briefing: "
                        f"member-services calls about {mult:.1f}x normal."
                    ),
                )
            )

    def _mean_before(self, expected: np.ndarray, start: int) -> float:
        lo = max(0, start - self.window.first_day - BASELINE_DAYS)
        hi = start - self.window.first_day
        window = expected[lo:hi]
        return round(float(window.mean()) if window.size else 0.0, 4)

    # ---- the plan ---------------------------------------------------------------------------
    def plan(self) -> list[Incident]:
        """Choose accounts and kinds, size every incident, number them."""
        n = len(self.sponsors)
        rng = self.rng
        order = [int(i) for i in rng.permutation(n)]
        quiet = set(order[: max(1, round(0.25 * n))])
        members = np.array([s.member_target for s in self.sponsors])
        miss_slots = max(2, n // 5)
        rotation = list(MISS_KINDS)
        turn = int(rng.integers(len(rotation)))
        for account in sorted(range(n), key=lambda a: -members[a]):
            if miss_slots <= 0:
                break
            if account in quiet or members[account] < 600:
                continue
            supported = [
                k
                for k, metrics in MISS_KINDS.items()
                if any(
                    client_guarantee(self.sponsors[account], m, q) is not None
                    for m in metrics
                    for q in self.quarters
                )
            ]
            for step in range(len(rotation)):
                kind = rotation[(turn + step) % len(rotation)]
                if kind not in supported:
                    continue
                inc = self._miss_incident(account, kind)
                if inc is not None and self._add(inc):
                    miss_slots -= 1
                    turn = (turn + step + 1) % len(rotation)
                    break
        mild = ("call_center_understaffing", "ivr_outage", "claims_backlog")
        for account in order:
            if account in quiet:
                continue
            wanted = 1 + int(rng.random() < 0.35)
            have = len(self.busy.get(account, []))
            for _ in range(max(0, wanted - have)):
                volume = [VOLUME_KINDS[k] for k in rng.permutation(len(VOLUME_KINDS))]
                if members[account] >= 2500 and rng.random() < 0.6:
                    # denial spikes need claim volume: large accounts try them first
                    volume.remove("prior_auth_config_denials")
                    volume.insert(0, "prior_auth_config_denials")
                fallback = [mild[k] for k in rng.permutation(len(mild))]
                if rng.random() < 0.2:
                    volume, fallback = fallback[:1], volume + fallback[1:]
                elif rng.random() < 0.6:
                    fallback = []  # a small account may simply have nothing visible
                for kind in [*volume, *fallback]:
                    inc = self._mild(account, kind) if kind in mild else self.volume(account, kind)
                    if inc is not None and self._add(inc):
                        break
        for account in sorted(range(n), key=lambda a: -members[a]):
            self.incidents.extend(self.surges(account))
        self.incidents.sort(key=lambda i: (i.start, i.account, i.kind))
        for k, inc in enumerate(self.incidents):
            inc.id = f"INC-{k + 1:03d}"
            inc.params["index"] = k
        return self.incidents

    def _miss_incident(self, account: int, kind: str) -> Incident | None:
        if kind == "claims_backlog":
            return self.backlog(account, True)
        if kind == "claims_pricing_error":
            return self.pricing_error(account)
        if kind == "call_center_understaffing":
            return self.understaffing(account, True)
        return self.ivr_outage(account, True)

    def _mild(self, account: int, kind: str) -> Incident | None:
        if kind == "claims_backlog":
            return self.backlog(account, False)
        if kind == "call_center_understaffing":
            return self.understaffing(account, False)
        return self.ivr_outage(account, False)

    def _add(self, inc: Incident) -> bool:
        if not self._book_ok(inc):
            return False
        self._reserve(inc.account, inc.start, inc.end)
        self.incidents.append(inc)
        return True

    def _weights(self, account: int, metric: str) -> np.ndarray:
        if metric in ("average_speed_of_answer", "abandonment_rate", "first_contact_resolution"):
            return self.member_calls(account)
        if metric == "ivr_containment":
            return self.sessions(account)
        return self.claims(account)

    def _book_ok(self, candidate: Incident) -> bool:
        """Whether book-of-business guarantees stay clearly met with ``candidate`` added."""
        for metric, per_quarter in candidate.expected_metrics.items():
            targets = [
                float(g.target)
                for s in self.sponsors
                for c in s.contracts
                for g in c.guarantees
                if g.metric == metric and g.level == "book_of_business"
            ]
            if not targets:
                continue
            spec = METRICS[metric]
            strictest = min(targets) if spec.comparator == "<=" else max(targets)
            attr = LEVEL_ATTRIBUTE[metric]
            for label in per_quarter:
                q = next(x for x in self.quarters if x.label == label)
                total = 0.0
                weighted = 0.0
                for a, sponsor in enumerate(self.sponsors):
                    w = self._slice(self._weights(a, metric), q.first, q.last)
                    value = float(getattr(sponsor.levels, attr))
                    for inc in [*self.incidents, candidate]:
                        if inc.account == a and label in inc.expected_metrics.get(metric, {}):
                            value = inc.expected_metrics[metric][label]
                    total += w
                    weighted += w * value
                if total <= 0:
                    continue
                verdict = self._classify(metric, weighted / total, strictest, False, True)
                if verdict != "meet":
                    return False
        return True


def plan_incidents(
    sponsors: list[Sponsor],
    population: Population,
    directory: ProviderDirectory,
    window: Window,
    active: np.ndarray,
    seed: int,
) -> list[Incident]:
    """The incident list of a book (deterministic for a seed)."""
    return Planner(sponsors, population, directory, window, active, seed).plan()


__all__ = [
    "MISS_KINDS",
    "Quarter",
    "client_guarantee",
    "day_number",
    "plan_incidents",
    "window_quarters",
]
