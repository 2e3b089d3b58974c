from django.urls import path

from clientdesk.inquiries import views

app_name = "inquiries"
urlpatterns = [
    path("", views.inquiry_list, name="list"),
    path("mine/", views.my_work_page, name="mine"),
    path("export/", views.inquiry_export, name="export"),
    path("assign/", views.bulk_assign, name="bulk_assign"),
    path("new/", views.inquiry_create, name="create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("<int:inquiry_id>/", views.inquiry_detail, name="detail"),
    path("<int:inquiry_id>/edit/", views.inquiry_edit, name="edit"),
    path("<int:inquiry_id>/status/", views.inquiry_status, name="status"),
    path("<int:inquiry_id>/notes/", views.inquiry_note, name="note"),
    path("<int:inquiry_id>/owner/", views.inquiry_assign, name="assign"),
    path("<int:inquiry_id>/escalate/", views.inquiry_escalate, name="escalate"),
    path("<int:inquiry_id>/watch/", views.inquiry_watch, name="watch"),
    path("<int:inquiry_id>/merge/", views.inquiry_merge, name="merge"),
    path("<int:inquiry_id>/member/", views.inquiry_member, name="member"),
    path("<int:inquiry_id>/attachments/", views.attachment_add, name="attachment_add"),
    path(
        "<int:inquiry_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("escalations/", views.escalation_list, name="escalations"),
    path(
        "accounts/<int:account_id>/escalations/new/",
        views.escalation_create,
        name="escalation_create",
    ),
    path("escalations/<int:escalation_id>/", views.escalation_detail, name="escalation_detail"),
    path(
        "escalations/<int:escalation_id>/update/",
        views.escalation_update,
        name="escalation_update",
    ),
    path("escalations/<int:escalation_id>/notes/", views.escalation_note, name="escalation_note"),
    path("sla-policies/", views.policy_list, name="policies"),
    path("sla-policies/<int:policy_id>/", views.policy_edit, name="policy_edit"),
    path("routing/", views.routing, name="routing"),
    path("routing/rules/", views.routing_rule, name="routing_rule"),
    path("routing/competences/", views.competences, name="competences"),
]
