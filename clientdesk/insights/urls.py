from django.urls import path

from clientdesk.insights import views

app_name = "insights"
urlpatterns = [
    path("issues/", views.issue_list, name="issues"),
    path("issues/account/<int:account_id>/", views.account_issues, name="account_issues"),
    path("issues/<int:issue_id>/", views.issue_detail, name="issue_detail"),
    path("issues/<int:issue_id>/problem/", views.issue_open_problem, name="issue_open_problem"),
    path("issues/<int:issue_id>/dismiss/", views.issue_dismiss, name="issue_dismiss"),
    path("problems/", views.problem_board, name="problems"),
    path("problems/<int:problem_id>/", views.problem_detail, name="problem_detail"),
    path("problems/<int:problem_id>/edit/", views.problem_edit, name="problem_edit"),
    path("problems/<int:problem_id>/actions/", views.action_create, name="action_create"),
    path(
        "problems/<int:problem_id>/inquiries/",
        views.problem_link_inquiries,
        name="problem_link_inquiries",
    ),
    path(
        "problems/<int:problem_id>/inquiries/<int:inquiry_id>/unlink/",
        views.problem_unlink_inquiry,
        name="problem_unlink_inquiry",
    ),
    path(
        "problems/<int:problem_id>/actions/<int:action_id>/",
        views.action_update,
        name="action_update",
    ),
]
