from django.urls import path

from clientdesk.guarantees import views

app_name = "guarantees"
urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("export.<str:fmt>", views.portfolio_export, name="portfolio_export"),
    path("evaluate/", views.evaluate_all, name="evaluate_all"),
    path("monitors/", views.book_monitors, name="book_monitors"),
    path("accounts/<int:account_id>/", views.scorecard, name="scorecard"),
    path(
        "accounts/<int:account_id>/export.<str:fmt>",
        views.scorecard_export,
        name="scorecard_export",
    ),
    path("accounts/<int:account_id>/evaluate/", views.evaluate, name="evaluate"),
    path("accounts/<int:account_id>/forecast/", views.forecast, name="forecast"),
    path("accounts/<int:account_id>/monitors/", views.monitors, name="monitors"),
    path("accounts/<int:account_id>/templates/", views.templates_pick, name="templates"),
    path("accounts/<int:account_id>/new/", views.guarantee_create, name="create"),
    path(
        "accounts/<int:account_id>/contracts/<int:contract_id>/terms/",
        views.terms_edit,
        name="terms",
    ),
    path("accounts/<int:account_id>/<int:guarantee_id>/", views.guarantee_detail, name="detail"),
    path(
        "accounts/<int:account_id>/<int:guarantee_id>/edit/",
        views.guarantee_edit,
        name="edit",
    ),
    path(
        "accounts/<int:account_id>/<int:guarantee_id>/delete/",
        views.guarantee_delete,
        name="delete",
    ),
    path(
        "accounts/<int:account_id>/<int:guarantee_id>/attest/",
        views.attest,
        name="attest",
    ),
    path(
        "accounts/<int:account_id>/results/<int:result_id>/records/",
        views.records,
        name="records",
    ),
    path(
        "accounts/<int:account_id>/results/<int:result_id>/records.csv",
        views.records_export,
        name="records_export",
    ),
]
