from django.urls import path

from clientdesk.web import loads_views as views

app_name = "loads"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("<int:batch_id>/", views.batch_detail, name="detail"),
    path("<int:batch_id>/rejected/", views.batch_rejected, name="rejected"),
    path("<int:batch_id>/rejects.csv", views.batch_rejects_file, name="rejects_file"),
]
