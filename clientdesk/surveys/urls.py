from django.urls import path

from clientdesk.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("<int:survey_id>/", views.survey_detail, name="detail"),
    path("<int:survey_id>/edit/", views.survey_edit, name="edit"),
    path("accounts/<int:account_id>/send/", views.account_send, name="account_send"),
    path("transactional/", views.send_transactional, name="send_transactional"),
    path("sends/<int:send_id>/", views.send_detail, name="send_detail"),
    path("results/", views.results_page, name="results"),
    path("results.csv", views.results_export, name="results_export"),
    path("schedules/", views.schedule_list, name="schedules"),
    path("schedules/<int:schedule_id>/", views.schedule_edit, name="schedule"),
    path("verbatims/", views.verbatims_page, name="verbatims"),
    path("follow-ups/", views.follow_up_list, name="follow_ups"),
    path("follow-ups/<int:follow_up_id>/", views.follow_up_detail, name="follow_up"),
    path("imports/", views.import_responses, name="import"),
    path("imports/<int:import_id>/", views.import_detail, name="import_detail"),
]
