from django.urls import path

from clientdesk.growth import views

app_name = "growth"
urlpatterns = [
    path("", views.pipeline, name="pipeline"),
    path("opportunities/<int:opportunity_id>/", views.opportunity_detail, name="opportunity"),
    path(
        "opportunities/<int:opportunity_id>/stage/",
        views.opportunity_stage,
        name="opportunity_stage",
    ),
    path(
        "accounts/<int:account_id>/opportunities/new/",
        views.opportunity_create,
        name="opportunity_create",
    ),
    path("accounts/<int:account_id>/holdings/", views.holding, name="holding"),
    path("accounts/<int:account_id>/suggest/", views.suggest_account, name="suggest_account"),
    path(
        "accounts/<int:account_id>/vendor-contracts/new/",
        views.vendor_contract_create,
        name="vendor_contract_create",
    ),
    path(
        "suggestions/<int:suggestion_id>/convert/",
        views.suggestion_convert,
        name="suggestion_convert",
    ),
    path(
        "suggestions/<int:suggestion_id>/dismiss/",
        views.suggestion_dismiss,
        name="suggestion_dismiss",
    ),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:rule_id>/", views.rule_edit, name="rule"),
    path("leads/", views.leads, name="leads"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead"),
    path("rfps/", views.rfps, name="rfps"),
    path("rfps/import/", views.rfp_import, name="rfp_import"),
    path("rfps/<int:rfp_id>/", views.rfp_detail, name="rfp"),
    path("rfps/<int:rfp_id>/fill/", views.rfp_fill, name="rfp_fill"),
    path("rfps/<int:rfp_id>/export/", views.rfp_export, name="rfp_export"),
    path("rfps/<int:rfp_id>/outcome/", views.rfp_outcome, name="rfp_outcome"),
    path(
        "rfps/<int:rfp_id>/questions/<int:question_id>/answer/",
        views.rfp_answer,
        name="rfp_answer",
    ),
    path(
        "rfps/<int:rfp_id>/questions/<int:question_id>/assign/",
        views.rfp_assign,
        name="rfp_assign",
    ),
    path(
        "rfps/<int:rfp_id>/sections/<int:section_id>/approve/",
        views.rfp_approve,
        name="rfp_approve",
    ),
    path("library/", views.library, name="library"),
    path("vendors/", views.vendors, name="vendors"),
    path(
        "vendor-contracts/<int:contract_id>/",
        views.vendor_contract_detail,
        name="vendor_contract",
    ),
    path(
        "vendor-contracts/<int:contract_id>/participants/",
        views.vendor_participants,
        name="vendor_participants",
    ),
    path(
        "vendor-contracts/<int:contract_id>/participants/import/",
        views.vendor_participants_import,
        name="vendor_participants_import",
    ),
    path(
        "vendor-contracts/<int:contract_id>/savings-check/",
        views.vendor_savings_check,
        name="vendor_savings_check",
    ),
]
