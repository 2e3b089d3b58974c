"""Single sign-on's two routes, included by clientdesk/urls.py only when SSO is on."""

from django.urls import path

from clientdesk.web import sso

app_name = "sso"

urlpatterns = [
    path("start/", sso.SsoStartView.as_view(), name="start"),
    path("callback/", sso.SsoCallbackView.as_view(), name="callback"),
]
