from django.urls import path

from clientdesk.financials import views

app_name = "financials"
urlpatterns = [
    path("accounts/<int:account_id>/financials/ibnr/", views.ibnr, name="ibnr"),
    path("accounts/<int:account_id>/financials/renewal/", views.renewal, name="renewal"),
    path(
        "accounts/<int:account_id>/financials/renewal.xlsx",
        views.renewal_export,
        name="renewal_export",
    ),
    path("accounts/<int:account_id>/financials/options/", views.options, name="options"),
    path("accounts/<int:account_id>/financials/terms/", views.terms, name="terms"),
    path(
        "accounts/<int:account_id>/financials/export.<str:fmt>",
        views.account_export,
        name="account_export",
    ),
    path("financials/", views.portfolio, name="portfolio"),
    path("financials/export.<str:fmt>", views.portfolio_export, name="portfolio_export"),
    path("financials/expense/", views.expense, name="expense"),
]
