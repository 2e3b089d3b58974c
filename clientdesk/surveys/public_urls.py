"""The public pages of a survey link (no login): answer, unsubscribe."""

from django.urls import path

from clientdesk.surveys import public_views

app_name = "surveys_public"
urlpatterns = [
    path("<str:token>/", public_views.answer, name="answer"),
    path("<str:token>/unsubscribe/", public_views.unsubscribe, name="unsubscribe"),
]
