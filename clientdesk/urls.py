from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from clientdesk.api import api
from clientdesk.people.sso import sso_enabled
from clientdesk.web import views as web_views
from clientdesk.web.search import search_page
from clientdesk.web.sso import SignInView

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("search/", search_page, name="search"),
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("mfa/", include("clientdesk.web.mfa_urls")),
    path("accounts/", include("clientdesk.accounts.urls")),
    path("inquiries/", include("clientdesk.inquiries.urls")),
    path("audit/", include("clientdesk.web.audit_urls")),
    path("data/loads/", include("clientdesk.web.loads_urls")),
    path("insights/", include("clientdesk.insights.urls")),
    path("guarantees/", include("clientdesk.guarantees.urls")),
    path("growth/", include("clientdesk.growth.urls")),
    path("implementations/", include("clientdesk.implementations.urls")),
    path("strategy/", include("clientdesk.strategy.urls")),
    path("surveys/", include("clientdesk.surveys.urls")),
    path("s/", include("clientdesk.surveys.public_urls")),
    path("team/", include("clientdesk.team.urls")),
    path("", include("clientdesk.utilization.urls")),
    path("", include("clientdesk.financials.urls")),
    path("", include("clientdesk.reports.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

if sso_enabled():  # off entirely (no routes) while CLIENTDESK_OIDC_CLIENT_ID is unset
    urlpatterns.insert(0, path("sso/", include("clientdesk.web.sso_urls")))

handler400 = "clientdesk.web.views.bad_request"
handler403 = "clientdesk.web.views.permission_denied"
handler404 = "clientdesk.web.views.page_not_found"
handler500 = "clientdesk.web.views.server_error"

admin.site.site_header = "clientdesk administration"
admin.site.site_title = "clientdesk admin"
