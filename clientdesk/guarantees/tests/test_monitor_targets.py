"""The IVR and auto-adjudication monitors draw the contract's target beside their limits, on
the page and in the stewardship report."""

from __future__ import annotations

from clientdesk.guarantees.queries import monitor_targets
from clientdesk.guarantees.tests.cast import acme_guarantee
from clientdesk.testing import Cast


def test_the_targets_are_the_contracts(cast: Cast) -> None:
    assert monitor_targets(cast.acme) == {}
    acme_guarantee(cast)  # IVR containment >= 20 %
    assert monitor_targets(cast.acme) == {"ivr_containment": 20.0}
    assert monitor_targets(cast.bayside) == {}
