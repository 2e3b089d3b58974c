from django.urls import path

from clientdesk.reports import views

app_name = "reports"
urlpatterns = [
    path("accounts/<int:account_id>/reports/", views.account_reports, name="account"),
    path("reports/", views.portfolio, name="portfolio"),
    path("reports/runs/<int:run_id>/", views.run_detail, name="run"),
    path("reports/runs/<int:run_id>/status", views.run_status, name="run_status"),
    path("reports/runs/<int:run_id>/download.<str:fmt>", views.download, name="download"),
    path("reports/schedules/", views.schedule_create, name="schedule_create"),
    path(
        "reports/schedules/<int:schedule_id>/delete", views.schedule_delete, name="schedule_delete"
    ),
]
