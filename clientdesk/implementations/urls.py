from django.urls import path

from clientdesk.implementations import views

app_name = "implementations"
plan = "accounts/<int:account_id>/<int:implementation_id>/"
urlpatterns = [
    path("", views.board, name="board"),
    path("tasks/", views.team_tasks, name="tasks"),
    path("templates/", views.templates, name="templates"),
    path("templates/import/", views.template_import, name="template_import"),
    path(
        "templates/<int:template_id>/export.<str:fmt>",
        views.template_export,
        name="template_export",
    ),
    path("accounts/<int:account_id>/new/", views.create, name="create"),
    path(plan, views.detail, name="detail"),
    path(plan + "import/", views.import_plan, name="import"),
    path(plan + "test-file/", views.load_test_file, name="test_file"),
    path(plan + "edit/", views.update_plan, name="update"),
    path(plan + "approve/", views.approve, name="approve"),
    path(plan + "live/", views.go_live, name="go_live"),
    path(plan + "review/", views.review, name="review"),
    path(plan + "export.<str:fmt>", views.export, name="export"),
    path(plan + "milestones.ics", views.milestones, name="milestones"),
    path(plan + "tasks/<int:task_id>/", views.update_task, name="task"),
]
