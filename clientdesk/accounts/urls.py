from django.urls import path

from clientdesk.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("<int:account_id>/", views.account_detail, name="detail"),
    path("<int:account_id>/tab/<slug:tab>/", views.account_tab, name="tab"),
    path("<int:account_id>/edit/", views.account_edit, name="edit"),
    path("<int:account_id>/contacts/new/", views.contact_create, name="contact_create"),
    path(
        "<int:account_id>/contacts/<int:contact_id>/edit/",
        views.contact_edit,
        name="contact_edit",
    ),
    path(
        "<int:account_id>/contacts/<int:contact_id>/delete/",
        views.contact_delete,
        name="contact_delete",
    ),
    path("<int:account_id>/contracts/new/", views.contract_create, name="contract_create"),
    path(
        "<int:account_id>/contracts/<int:contract_id>/edit/",
        views.contract_edit,
        name="contract_edit",
    ),
    path("<int:account_id>/team/", views.team_edit, name="team"),
    path(
        "<int:account_id>/team/<int:assignment_id>/remove/",
        views.team_remove,
        name="team_remove",
    ),
    path("<int:account_id>/activity/", views.activity_create, name="activity_create"),
]
