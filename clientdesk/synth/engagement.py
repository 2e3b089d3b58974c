"""``activity.json``: the account team's touches with each sponsor's decision maker.

Grain: one entry per touch (a meeting, call or e-mail with the sponsor's primary contact) from
the sponsor's effective date, or the window's start, to the window's end. The gaps between
touches are drawn on their own random stream (``Stream.ENGAGEMENT``), so every other output
stays byte-identical. The sponsor's hidden disengagement (synth/renewals.py, one in four)
shows here: an engaged sponsor is touched about every 35 days, a disengaged one about every
120, each sponsor's own pace varying around that (log-normal, 35 %) and each gap varying
around the pace (gamma, shape 2), so the two overlap. The health score's "days since the last
decision-maker touch" reads these touches once the loader has logged them on the timeline.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from clientdesk.synth.book_file import write_json
from clientdesk.synth.params import SynthParams
from clientdesk.synth.random_streams import Stream, stream
from clientdesk.synth.renewals import hidden_drivers
from clientdesk.synth.sponsors import Sponsor

ENGAGED_GAP_DAYS = 35.0
DISENGAGED_GAP_DAYS = 120.0
KINDS = (
    ("meeting", "Benefits review"),
    ("call", "Check-in call with the benefits director"),
    ("email", "Follow-up on open service items"),
    ("meeting", "Renewal planning"),
)


def decision_maker_touches(params: SynthParams, sponsor: Sponsor) -> list[dict[str, str]]:
    """The sponsor's touches, oldest first (none without contacts)."""
    contacts = [c for c in sponsor.contacts if c.primary] or list(sponsor.contacts[:1])
    if not contacts:
        return []
    contact = contacts[0]
    _, disengaged, _, _, _ = hidden_drivers(params.seed, sponsor.index)
    rng = stream(params.seed, Stream.ENGAGEMENT, sponsor.index)
    base = DISENGAGED_GAP_DAYS if disengaged else ENGAGED_GAP_DAYS
    pace = base * float(rng.lognormal(0.0, 0.35))
    window = params.window
    day = max(window.start_date, sponsor.effective_date)
    day += timedelta(days=int(rng.uniform(0, pace)))
    out: list[dict[str, str]] = []
    while day <= window.end_date:
        kind, subject = KINDS[int(rng.integers(len(KINDS)))]
        out.append(
            {
                "account": sponsor.group_number,
                "contact_email": contact.email,
                "kind": kind,
                "subject": subject,
                "occurred_on": day.isoformat(),
            }
        )
        day += timedelta(days=max(1, round(float(rng.gamma(2.0, pace / 2.0)))))
    return out


def write_activity(params: SynthParams, out_dir: Path, sponsors: list[Sponsor]) -> int:
    """Write ``activity.json``; the number of touches."""
    touches = [t for s in sponsors for t in decision_maker_touches(params, s)]
    write_json(Path(out_dir) / "activity.json", {"touches": touches})
    return len(touches)
