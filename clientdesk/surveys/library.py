"""The standard surveys a new survey starts from, one per kind, in English and Spanish.

Relationship: NPS (the temperature), a "why" after a detractor's score, driver questions (the
blood test). Transactional: CSAT and CES 2.0 after a resolved inquiry, "why" after a low
CSAT. Implementation: CSAT on the installation, the implementation-guarantee statement
("score no less than 3") and what to improve.
"""

from __future__ import annotations

from typing import Any

from clientdesk.surveys.questions import QuestionSet, parse_questions

_WHY = {
    "en": "What is the main reason for your score?",
    "es": "¿Cuál es la razón principal de su puntuación?",
}
_IMPROVE = {
    "en": "What one thing should we do better?",
    "es": "¿Qué es lo que deberíamos mejorar?",
}

RELATIONSHIP: list[dict[str, Any]] = [
    {
        "key": "recommend",
        "type": "nps",
        "required": True,
        "text": {
            "en": "How likely are you to recommend our health plan services to a colleague?",
            "es": "¿Qué probabilidad hay de que recomiende nuestros servicios a un colega?",
        },
    },
    {
        "key": "why",
        "type": "text",
        "required": True,
        "show_if": {"question": "recommend", "at_most": 6},
        "text": _WHY,
    },
    {
        "key": "satisfaction",
        "type": "csat",
        "required": False,
        "text": {
            "en": "Overall, how satisfied are you with your account team?",
            "es": "En general, ¿qué tan satisfecho está con su equipo de cuenta?",
        },
    },
    {
        "key": "drivers",
        "type": "multiple",
        "text": {
            "en": "Which of these matter most to you?",
            "es": "¿Cuáles de estos aspectos le importan más?",
        },
        "options": [
            {"key": "reporting", "text": {"en": "Reporting", "es": "Informes"}},
            {"key": "service", "text": {"en": "Member service", "es": "Servicio a miembros"}},
            {"key": "claims", "text": {"en": "Claims accuracy", "es": "Exactitud de reclamos"}},
            {"key": "cost", "text": {"en": "Cost and trend", "es": "Costo y tendencia"}},
        ],
    },
    {"key": "comment", "type": "text", "text": _IMPROVE},
]

TRANSACTIONAL: list[dict[str, Any]] = [
    {
        "key": "satisfaction",
        "type": "csat",
        "required": True,
        "text": {
            "en": "How satisfied are you with how we handled your recent request?",
            "es": "¿Qué tan satisfecho está con la atención de su solicitud reciente?",
        },
    },
    {
        "key": "why",
        "type": "text",
        "required": True,
        "show_if": {"question": "satisfaction", "at_most": 2},
        "text": _WHY,
    },
    {
        "key": "effort",
        "type": "ces",
        "text": {
            "en": "We made it easy for me to handle my request.",
            "es": "Nos fue fácil resolver mi solicitud.",
        },
    },
    {
        "key": "resolved",
        "type": "single",
        "text": {"en": "Was your request resolved?", "es": "¿Se resolvió su solicitud?"},
        "options": [
            {"key": "yes", "text": {"en": "Yes", "es": "Sí"}},
            {"key": "partly", "text": {"en": "Partly", "es": "En parte"}},
            {"key": "no", "text": {"en": "No", "es": "No"}},
        ],
    },
]

IMPLEMENTATION: list[dict[str, Any]] = [
    {
        "key": "satisfaction",
        "type": "csat",
        "required": True,
        "text": {
            "en": "How satisfied are you with the implementation of your plan?",
            "es": "¿Qué tan satisfecho está con la implementación de su plan?",
        },
    },
    {
        "key": "why",
        "type": "text",
        "required": True,
        "show_if": {"question": "satisfaction", "at_most": 2},
        "text": _WHY,
    },
    {
        "key": "recommend",
        "type": "nps",
        "text": {
            "en": "How likely are you to recommend our implementation team to a colleague?",
            "es": "¿Qué probabilidad hay de que recomiende a nuestro equipo de implementación?",
        },
    },
    {"key": "comment", "type": "text", "text": _IMPROVE},
]

TEMPLATES: dict[str, list[dict[str, Any]]] = {
    "relationship": RELATIONSHIP,
    "transactional": TRANSACTIONAL,
    "implementation": IMPLEMENTATION,
}


def template_questions(kind: str) -> QuestionSet:
    return parse_questions(TEMPLATES[kind])
