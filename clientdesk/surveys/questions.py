"""A survey's questions: pure values, validated from and written to JSON.

A survey version holds a list of questions. Each question has a stable ``key`` (the answers
are keyed by it), a ``type``, its text in English and Spanish, a ``required`` flag, options for
the choice types, and an optional ``show_if`` condition that makes it a branch: asked only
when an earlier scale question was answered at or below ``at_most`` (the "why" after a low
score). Scales: NPS 0-10, CSAT 1-5, CES 1-7.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

LANGUAGES = ("en", "es")


class QuestionType(StrEnum):
    NPS = "nps"
    CSAT = "csat"
    CES = "ces"
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"


SCALES: dict[QuestionType, tuple[int, int]] = {
    QuestionType.NPS: (0, 10),
    QuestionType.CSAT: (1, 5),
    QuestionType.CES: (1, 7),
}
SCALE_ENDS: dict[QuestionType, dict[str, tuple[str, str]]] = {
    QuestionType.NPS: {
        "en": ("Not at all likely", "Extremely likely"),
        "es": ("Nada probable", "Muy probable"),
    },
    QuestionType.CSAT: {
        "en": ("Very dissatisfied", "Very satisfied"),
        "es": ("Muy insatisfecho", "Muy satisfecho"),
    },
    QuestionType.CES: {
        "en": ("Strongly disagree", "Strongly agree"),
        "es": ("Totalmente en desacuerdo", "Totalmente de acuerdo"),
    },
}
MAX_TEXT = 2000  # characters kept of a free-text answer


class QuestionError(ValueError):
    """A question list that cannot be used, with the reason in words."""


@dataclass(frozen=True)
class Option:
    key: str
    text: Mapping[str, str]


@dataclass(frozen=True)
class Condition:
    """Ask this question only when ``question`` (a scale) was answered ≤ ``at_most``."""

    question: str
    at_most: int


@dataclass(frozen=True)
class Question:
    key: str
    type: QuestionType
    text: Mapping[str, str]
    required: bool = False
    options: tuple[Option, ...] = ()
    show_if: Condition | None = None

    @property
    def is_scale(self) -> bool:
        return self.type in SCALES

    def scale(self) -> range:
        low, high = SCALES[self.type]
        return range(low, high + 1)

    def label(self, language: str) -> str:
        return self.text.get(language) or self.text["en"]

    def ends(self, language: str) -> tuple[str, str]:
        ends = SCALE_ENDS[self.type]
        return ends.get(language, ends["en"])

    def option_label(self, key: str, language: str) -> str:
        for option in self.options:
            if option.key == key:
                return option.text.get(language) or option.text["en"]
        return key

    def asked(self, answers: Mapping[str, Any]) -> bool:
        """Whether the question is asked given the answers so far (a branch only after its
        condition's low score)."""
        if self.show_if is None:
            return True
        earlier = answers.get(self.show_if.question)
        return isinstance(earlier, int) and earlier <= self.show_if.at_most

    def clean(self, raw: Sequence[str]) -> Any:
        """The answer from the form's values (a list of strings), or None when left empty.
        Raises QuestionError for a value outside the question's scale or options."""
        values = [v.strip() for v in raw if v.strip()]
        if not values:
            return None
        if self.is_scale:
            try:
                number = int(values[0])
            except ValueError:
                raise QuestionError("choose a number on the scale") from None
            if number not in self.scale():
                raise QuestionError("choose a number on the scale")
            return number
        keys = {o.key for o in self.options}
        if self.type == QuestionType.SINGLE:
            if values[0] not in keys:
                raise QuestionError("choose one of the answers")
            return values[0]
        if self.type == QuestionType.MULTIPLE:
            if not set(values) <= keys:
                raise QuestionError("choose among the answers")
            return [o.key for o in self.options if o.key in values]
        return values[0][:MAX_TEXT]


@dataclass(frozen=True)
class QuestionSet:
    questions: tuple[Question, ...] = field(default_factory=tuple)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)

    def get(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def first_of(self, kind: QuestionType) -> Question | None:
        """The headline question of a scale (the first NPS, CSAT or CES question)."""
        return next((q for q in self.questions if q.type == kind and q.show_if is None), None)

    def asked(self, answers: Mapping[str, Any]) -> list[Question]:
        return [q for q in self.questions if q.asked(answers)]

    def missing(self, answers: Mapping[str, Any]) -> list[Question]:
        """Required questions, asked given the answers, still unanswered."""
        return [q for q in self.asked(answers) if q.required and answers.get(q.key) in (None, [])]

    def scores(self, answers: Mapping[str, Any]) -> dict[str, int | None]:
        """The headline nps, csat and ces of the answers (None when unanswered)."""
        out: dict[str, int | None] = {}
        for kind in (QuestionType.NPS, QuestionType.CSAT, QuestionType.CES):
            question = self.first_of(kind)
            value = answers.get(question.key) if question else None
            out[kind.value] = value if isinstance(value, int) else None
        return out

    def verbatim(self, answers: Mapping[str, Any]) -> str:
        """Every free-text answer, in question order, joined by blank lines."""
        texts = [
            str(answers[q.key]).strip()
            for q in self.questions
            if q.type == QuestionType.TEXT and answers.get(q.key)
        ]
        return "\n\n".join(t for t in texts if t)

    def to_json(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for q in self.questions:
            item: dict[str, Any] = {
                "key": q.key,
                "type": q.type.value,
                "text": dict(q.text),
                "required": q.required,
            }
            if q.options:
                item["options"] = [{"key": o.key, "text": dict(o.text)} for o in q.options]
            if q.show_if is not None:
                item["show_if"] = {"question": q.show_if.question, "at_most": q.show_if.at_most}
            out.append(item)
        return out


def _texts(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, Mapping) or not str(raw.get("en", "")).strip():
        raise QuestionError(f"{where}: an English text is needed")
    texts = {lang: str(raw[lang]).strip() for lang in LANGUAGES if str(raw.get(lang, "")).strip()}
    unknown = set(raw) - set(LANGUAGES)
    if unknown:
        raise QuestionError(f"{where}: unknown language {sorted(unknown)[0]!r} (en, es)")
    return texts


def parse_questions(raw: Any) -> QuestionSet:
    """A QuestionSet from its JSON (a list of question objects), or QuestionError."""
    if not isinstance(raw, list) or not raw:
        raise QuestionError("a survey needs at least one question")
    questions: list[Question] = []
    seen: dict[str, Question] = {}
    for number, item in enumerate(raw, start=1):
        where = f"question {number}"
        if not isinstance(item, Mapping):
            raise QuestionError(f"{where}: not an object")
        key = str(item.get("key", "")).strip()
        if not key or not key.replace("_", "").isalnum():
            raise QuestionError(f"{where}: a key of letters, digits and _ is needed")
        if key in seen:
            raise QuestionError(f"{where}: the key {key!r} is used twice")
        try:
            kind = QuestionType(str(item.get("type", "")))
        except ValueError:
            kinds = ", ".join(t.value for t in QuestionType)
            raise QuestionError(f"{where}: type must be one of {kinds}") from None
        options: tuple[Option, ...] = ()
        if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            raw_options = item.get("options")
            if not isinstance(raw_options, list) or len(raw_options) < 2:
                raise QuestionError(f"{where}: a choice question needs two options or more")
            built = []
            for o in raw_options:
                if not isinstance(o, Mapping) or not str(o.get("key", "")).strip():
                    raise QuestionError(f"{where}: every option needs a key")
                built.append(Option(str(o["key"]).strip(), _texts(o.get("text"), where)))
            if len({o.key for o in built}) != len(built):
                raise QuestionError(f"{where}: two options share a key")
            options = tuple(built)
        condition = None
        if item.get("show_if") is not None:
            cond = item["show_if"]
            if not isinstance(cond, Mapping):
                raise QuestionError(f"{where}: show_if must be an object")
            target = seen.get(str(cond.get("question", "")))
            if target is None or not target.is_scale:
                raise QuestionError(f"{where}: show_if must name an earlier scale question")
            at_most = cond.get("at_most")
            if not isinstance(at_most, int) or at_most not in target.scale():
                raise QuestionError(f"{where}: show_if.at_most must be on that question's scale")
            condition = Condition(target.key, at_most)
        question = Question(
            key=key,
            type=kind,
            text=_texts(item.get("text"), where),
            required=bool(item.get("required", False)),
            options=options,
            show_if=condition,
        )
        seen[key] = question
        questions.append(question)
    return QuestionSet(tuple(questions))
