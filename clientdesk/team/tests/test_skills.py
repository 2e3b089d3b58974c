"""The inquiries app's skill routing reads the team's skills (through lib/skills.py): an
associate whose record lists the account's segment, and the pharmacy product for a pharmacy
inquiry, is chosen over the lead who lacks them."""

from __future__ import annotations

from clientdesk.inquiries.actions import do_set_routing_rule
from clientdesk.inquiries.routing import choose_owner
from clientdesk.team.actions import do_save_person
from clientdesk.team.queries import skilled_for
from clientdesk.team.tests.cast import team
from clientdesk.testing import Cast


def test_skill_routing_reads_the_team_records(cast: Cast) -> None:
    do_set_routing_rule(cast.acme, "account_team", True, acting_user=cast.mia)
    assert choose_owner(cast.acme, "claims")[0] == cast.alice  # no records: the lead
    team(cast)
    # alice (the lead) serves public-sector accounts; bob commercial ones, like Acme.
    do_save_person(cast.alice, {"segments": ["public_sector"]}, acting_user=cast.mia)
    do_save_person(
        cast.bob, {"segments": ["commercial"], "products": ["medical"]}, acting_user=cast.mia
    )
    ids = [cast.alice.pk, cast.bob.pk, cast.eve.pk]
    assert skilled_for(ids, cast.acme.pk, "claims") == {cast.bob.pk, cast.eve.pk}
    assert skilled_for(ids, cast.acme.pk, "pharmacy") == {cast.eve.pk}  # eve: no record
    assert choose_owner(cast.acme, "claims")[0] == cast.bob
    # A pharmacy inquiry: no one on the team fits, so the whole team stays (the lead first).
    assert choose_owner(cast.acme, "pharmacy")[0] == cast.alice
    do_save_person(cast.bob, {"products": ["medical", "pharmacy"]}, acting_user=cast.mia)
    assert choose_owner(cast.acme, "pharmacy")[0] == cast.bob
    # Without skill routing on the account, the lead as before.
    do_set_routing_rule(cast.acme, "account_team", False, acting_user=cast.mia)
    assert choose_owner(cast.acme, "claims")[0] == cast.alice
