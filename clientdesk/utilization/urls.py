from django.urls import path

from clientdesk.utilization import views

app_name = "utilization"
urlpatterns = [
    path("accounts/<int:account_id>/utilization/", views.account_utilization, name="account"),
    path(
        "accounts/<int:account_id>/utilization/lines/<str:leaf>/",
        views.category_lines_view,
        name="lines",
    ),
    path(
        "accounts/<int:account_id>/utilization/lines/<str:leaf>/open/",
        views.category_lines_open,
        name="lines_open",
    ),
    path(
        "accounts/<int:account_id>/utilization/lines/<str:leaf>/export.<str:fmt>",
        views.lines_export,
        name="lines_export",
    ),
    path(
        "accounts/<int:account_id>/utilization/export/<str:table>.<str:fmt>",
        views.account_export,
        name="export",
    ),
    path("utilization/", views.book, name="book"),
    path("utilization/export.<str:fmt>", views.book_export, name="book_export"),
    path("utilization/vega.js", views.vega_js, name="vega"),
]
