from django.urls import path

from clientdesk.strategy import views

app_name = "strategy"
urlpatterns = [
    path("calls/", views.call_list, name="calls"),
    path("calls/<int:call_id>/", views.call_detail, name="call"),
    path("calls/<int:call_id>/close/", views.call_close, name="call_close"),
    path("calls/<int:call_id>/tasks/<int:task_id>/", views.call_task, name="call_task"),
    path("health/", views.portfolio, name="portfolio"),
    path("health/export.<str:fmt>", views.portfolio_export, name="portfolio_export"),
    path("health/weights/", views.weights, name="weights"),
    path("health/<int:account_id>/", views.health, name="health"),
    path("health/<int:account_id>/override/", views.health_override, name="health_override"),
    path("plans/account/<int:account_id>/", views.plan_create, name="plan_create"),
    path("plans/<int:plan_id>/", views.plan_edit, name="plan_edit"),
    path("plans/<int:plan_id>/status/", views.plan_status, name="plan_status"),
    path("plans/<int:plan_id>/needs/", views.plan_need, name="plan_need"),
    path("plans/<int:plan_id>/objectives/", views.plan_objective, name="plan_objective"),
    path(
        "plans/<int:plan_id>/objectives/<int:objective_id>/",
        views.objective_edit,
        name="objective_edit",
    ),
    path(
        "plans/<int:plan_id>/objectives/<int:objective_id>/remove/",
        views.objective_remove,
        name="objective_remove",
    ),
    path("directives/", views.directive_board, name="directives"),
    path(
        "directives/account/<int:account_id>/",
        views.account_directives,
        name="account_directives",
    ),
    path("directives/account/<int:account_id>/add/", views.directive_add, name="directive_add"),
    path("directives/<int:directive_id>/", views.directive_edit, name="directive_edit"),
    path(
        "directives/<int:directive_id>/acknowledge/",
        views.directive_acknowledge,
        name="directive_acknowledge",
    ),
    path(
        "relationships/<int:account_id>/<int:contact_id>/",
        views.stakeholder,
        name="stakeholder",
    ),
    path("visits/account/<int:account_id>/", views.visit_create, name="visit_create"),
    path("visits/<int:visit_id>/", views.visit_detail, name="visit"),
    path("visits/<int:visit_id>/brief.pdf", views.visit_brief_pdf, name="visit_pdf"),
    path("visits/<int:visit_id>/outcome/", views.visit_outcome, name="visit_outcome"),
]
