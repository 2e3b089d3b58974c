from django.urls import path

from clientdesk.web import mfa

app_name = "mfa"

urlpatterns = [
    path("verify/", mfa.verify, name="verify"),
    path("enrol/", mfa.enrol, name="enrol"),
    path("recovery-codes/", mfa.recovery_codes, name="recovery_codes"),
    path("users/", mfa.users, name="users"),
    path("users/<int:user_id>/reset/", mfa.reset, name="reset"),
]
