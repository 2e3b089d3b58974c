"""The text engine as other apps call it (`queries.text_themes`): the same themes as the
detector's own, each text's theme, blanks left out."""

from __future__ import annotations

from clientdesk.insights import themes
from clientdesk.insights.queries import MIN_THEME_TEXTS, text_themes

LATE = ["claims paid late again", "late claims payment this quarter", "claims payment was late"]
CARDS = ["id cards never arrived", "id cards arrived with wrong names", "new id cards missing"]
PORTAL = ["portal login keeps failing", "cannot login to the portal", "login portal error"]


def test_each_text_gets_its_theme_and_a_blank_none() -> None:
    texts = (LATE + CARDS + PORTAL) * 5  # 45 texts, 15 about each thing
    texts.insert(1, "   ")
    found = text_themes(texts)
    assert found is not None
    # k = 45 // 60 clipped to 3; each label is its component's three strongest distinct words
    # (TF-IDF with the stop words out: "id" is too short a token, "the"/"was" are stop words).
    assert found.labels == [
        "portal · login · error",
        "claims · late · payment",
        "cards · arrived · names",
    ]
    expected = dict.fromkeys(LATE, found.labels[1])
    expected |= dict.fromkeys(CARDS, found.labels[2]) | dict.fromkeys(PORTAL, found.labels[0])
    assert found.assigned[1] == ""
    assert [a for t, a in zip(texts, found.assigned, strict=True) if t.strip()] == [
        expected[t] for t in texts if t.strip()
    ]


def test_too_few_texts_give_no_themes() -> None:
    texts = (LATE + CARDS + PORTAL) * 5
    assert MIN_THEME_TEXTS == themes.MIN_NOTES
    assert text_themes([*texts[: MIN_THEME_TEXTS - 1], "", " "]) is None
    assert text_themes(texts[:MIN_THEME_TEXTS]) is not None
