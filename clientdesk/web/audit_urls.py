from django.urls import path

from clientdesk.web import audit_views as views

app_name = "audit"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("accounts/<int:account_id>/", views.audit_for_account, name="account"),
    path("users/<int:user_id>/", views.audit_for_user, name="user"),
]
