"""The skills registry: sources with an opinion are intersected; none means no opinion."""

from __future__ import annotations

from collections.abc import Sequence

from clientdesk.lib.skills import SkillSources


def test_sources_with_an_opinion_are_intersected() -> None:
    sources = SkillSources()
    assert sources.fitting([1, 2, 3], 7, "claims") is None

    def no_opinion(ids: Sequence[int], account_id: int, category: str) -> set[int] | None:
        return None

    def speaks_spanish(ids: Sequence[int], account_id: int, category: str) -> set[int] | None:
        return {i for i in ids if i in {1, 2}}

    def knows_pharmacy(ids: Sequence[int], account_id: int, category: str) -> set[int] | None:
        return {i for i in ids if i != 1} if category == "pharmacy" else set(ids)

    sources.register("none", no_opinion)
    assert sources.fitting([1, 2, 3], 7, "claims") is None
    sources.register("language", speaks_spanish)
    sources.register("products", knows_pharmacy)
    assert sources.fitting([1, 2, 3], 7, "claims") == {1, 2}
    assert sources.fitting([1, 2, 3], 7, "pharmacy") == {2}
    sources.register("language", no_opinion)  # the same key replaces the entry
    assert sources.fitting([1, 2, 3], 7, "pharmacy") == {2, 3}
    sources.unregister("products")
    assert sources.fitting([1, 2, 3], 7, "pharmacy") is None
