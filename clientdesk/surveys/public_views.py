"""The public response page: no login, one token link per invitation.

Plain HTML (no script), one stylesheet, large targets, labels and fieldsets for every
question, the language switch as a link. Nothing about the account, the member or the inquiry
is shown: only the survey's questions. Every address is rate limited; a used, expired,
unsubscribed or unknown link gets a page that says so (410, or 404 for unknown).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clientdesk.lib.client_address import client_address
from clientdesk.surveys import actions, conf, rate
from clientdesk.surveys.actions import TokenState
from clientdesk.surveys.models import Invitation
from clientdesk.surveys.questions import Question, QuestionType

TEXT = {
    "en": {
        "title": "Your feedback",
        "intro": "Thank you for taking a minute to tell us how we are doing. "
        "Questions marked (required) need an answer.",
        "required": "required",
        "save": "Save and finish later",
        "submit": "Send my answers",
        "thanks_title": "Thank you",
        "thanks": "Your answers have been received. You can close this page.",
        "saved": "Your answers so far are saved. Use the same link to finish.",
        "more": "Thank you. One more question, below.",
        "errors": "Please check the questions marked below.",
        "other": "Español",
        "unsubscribe": "Stop receiving surveys",
        "used_title": "Already answered",
        "used": "This survey has already been answered. Thank you.",
        "expired_title": "This link has expired",
        "expired": "The time to answer this survey has passed. Thank you all the same.",
        "unknown_title": "This link is not valid",
        "unknown": "Check that the whole address from the e-mail was copied.",
        "unsubscribed_title": "You will not receive surveys",
        "unsubscribed": "You asked us not to send you surveys, and we will not.",
        "unsub_title": "Stop receiving surveys?",
        "unsub_intro": "We will not send surveys to this address again.",
        "unsub_button": "Stop receiving surveys",
        "slow_title": "Too many requests",
        "slow": "Please wait a minute and try again.",
        "select": "Choose all that apply.",
    },
    "es": {
        "title": "Su opinión",
        "intro": "Gracias por dedicar un minuto a decirnos cómo lo estamos haciendo. "
        "Las preguntas marcadas (obligatoria) necesitan respuesta.",
        "required": "obligatoria",
        "save": "Guardar y terminar después",
        "submit": "Enviar mis respuestas",
        "thanks_title": "Gracias",
        "thanks": "Hemos recibido sus respuestas. Puede cerrar esta página.",
        "saved": "Sus respuestas se han guardado. Use el mismo enlace para terminar.",
        "more": "Gracias. Una pregunta más, abajo.",
        "errors": "Revise las preguntas marcadas abajo.",
        "other": "English",
        "unsubscribe": "No recibir más encuestas",
        "used_title": "Ya respondida",
        "used": "Esta encuesta ya fue respondida. Gracias.",
        "expired_title": "Este enlace ha vencido",
        "expired": "El plazo para responder esta encuesta ha terminado. Gracias de todos modos.",
        "unknown_title": "Este enlace no es válido",
        "unknown": "Compruebe que copió la dirección completa del correo.",
        "unsubscribed_title": "No recibirá encuestas",
        "unsubscribed": "Nos pidió no enviarle encuestas y no lo haremos.",
        "unsub_title": "¿Dejar de recibir encuestas?",
        "unsub_intro": "No enviaremos más encuestas a esta dirección.",
        "unsub_button": "No recibir más encuestas",
        "slow_title": "Demasiadas solicitudes",
        "slow": "Espere un minuto e inténtelo de nuevo.",
        "select": "Elija todas las que correspondan.",
    },
}
STATUS = {TokenState.UNKNOWN: 404, TokenState.EXPIRED: 410, TokenState.USED: 410}


def _client(request: HttpRequest) -> str:
    return client_address(request) or "unknown"


def rate_limited(request: HttpRequest) -> bool:
    """More than PUBLIC_RATE_LIMIT requests this minute from the address, counted across
    every process of the site (surveys/rate.py)."""
    return rate.count_request(_client(request), timezone.now()) > conf.PUBLIC_RATE_LIMIT


def _language(request: HttpRequest, invitation: Invitation | None) -> str:
    asked = request.GET.get("lang") or request.POST.get("lang")
    if asked in TEXT:
        return asked
    return invitation.language if invitation is not None and invitation.language in TEXT else "en"


def _notice(request: HttpRequest, language: str, which: str, status: int) -> HttpResponse:
    text = TEXT[language]
    return render(
        request,
        "surveys/public/notice.html",
        {
            "t": text,
            "lang": language,
            "heading": text[f"{which}_title"],
            "message": text[which],
        },
        status=status,
    )


def _field(
    question: Question, language: str, answers: dict[str, object], error: str
) -> dict[str, object]:
    """What the template shows of one question, worked out here rather than in template tags
    (the page is asked for on every step of every respondent): each choice as (value, label,
    checked, the scale end's words for screen readers or "")."""
    value = answers.get(question.key)
    multiple = question.type == QuestionType.MULTIPLE
    field: dict[str, object] = {
        "key": question.key,
        "type": question.type.value,
        "label": question.label(language),
        "required": question.required,
        "error": error,
        "value": value,
        "input": "checkbox" if multiple else "radio",
        "each_required": question.required and not multiple,
    }
    if question.is_scale:
        low, high = question.ends(language)
        scale = question.scale()
        first, last = scale[0], scale[-1]
        field["choices"] = [
            (str(n), str(n), value == n, low if n == first else high if n == last else "")
            for n in scale
        ]
        field["ends"] = (f"{first} = {low}", f"{last} = {high}")
    elif question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        chosen = value if isinstance(value, list) else [value]
        field["choices"] = [
            (o.key, question.option_label(o.key, language), o.key in chosen, "")
            for o in question.options
        ]
    return field


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    if rate_limited(request):
        return _notice(request, _language(request, None), "slow", 429)
    now = timezone.now()
    invitation, state = actions.invitation_for_token(token, now)
    language = _language(request, invitation)
    if state != TokenState.OPEN or invitation is None:
        return _notice(request, language, state, STATUS.get(state, 410))
    questions = invitation.version.question_set()
    response = getattr(invitation, "response", None)
    answers: dict[str, object] = dict(response.answers) if response is not None else {}
    errors: dict[str, str] = {}
    message = ""
    status = 200
    if request.method == "POST":
        raw = {q.key: request.POST.getlist(q.key) for q in questions if q.key in request.POST}
        # A question shown but left empty (no radio chosen) posts nothing: clear it too.
        shown = request.POST.getlist("_shown")
        for key in shown:
            raw.setdefault(key, [])
        finish = request.POST.get("action") != "save"
        saved = actions.save_answers(invitation, raw, finish=finish, now=now)
        if saved.completed:
            return _notice(request, language, "thanks", 200)
        answers = dict(saved.response.answers)
        errors = saved.errors
        if errors:
            message, status = TEXT[language]["errors"], 422
        elif finish:
            message = TEXT[language]["more"]
        else:
            message = TEXT[language]["saved"]
    fields = [_field(q, language, answers, errors.get(q.key, "")) for q in questions.asked(answers)]
    return render(
        request,
        "surveys/public/answer.html",
        {
            "t": TEXT[language],
            "lang": language,
            "other_lang": "es" if language == "en" else "en",
            "token": token,
            "fields": fields,
            "message": message,
            "has_errors": bool(errors),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if rate_limited(request):
        return _notice(request, _language(request, None), "slow", 429)
    invitation, state = actions.invitation_for_token(token, timezone.now())
    language = _language(request, invitation)
    if invitation is None:
        return _notice(request, language, TokenState.UNKNOWN, 404)
    if request.method == "POST" or state == TokenState.UNSUBSCRIBED:
        actions.do_unsubscribe(invitation)
        return _notice(request, language, "unsubscribed", 200)
    return render(
        request,
        "surveys/public/unsubscribe.html",
        {"t": TEXT[language], "lang": language, "token": token},
    )
