"""Skills to route work on: an app that knows what people can do (the team app's records:
products, languages, segments) says which of a set of people fit a piece of work, in these
plain shapes, and the inquiries app's skill-based routing reads the answer here without
importing that app.

An app registers its source in its ``AppConfig.ready()``::

    SKILL_SOURCES.register("team.skills", skilled_for)

where ``skilled_for(user_ids, account_id, category) -> set[int] | None`` answers the ids of
those who fit an inquiry of that category on that account, or ``None`` when it knows nothing
of these people (no opinion: the caller keeps them all).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

# (user_ids, account_id, inquiry category) -> ids that fit, or None for no opinion.
SkillSource = Callable[[Sequence[int], int, str], set[int] | None]


class SkillSources:
    """The registry. Registering the same key again replaces the entry."""

    def __init__(self) -> None:
        self._sources: dict[str, SkillSource] = {}

    def register(self, key: str, source: SkillSource) -> None:
        self._sources[key] = source

    def unregister(self, key: str) -> None:
        self._sources.pop(key, None)

    def fitting(self, user_ids: Sequence[int], account_id: int, category: str) -> set[int] | None:
        """The people every source with an opinion agrees fit (the intersection of their
        answers), or None when no source has an opinion about these people."""
        found: set[int] | None = None
        for source in self._sources.values():
            answer = source(user_ids, account_id, category)
            if answer is None:
                continue
            found = set(answer) if found is None else found & answer
        return found


SKILL_SOURCES = SkillSources()
