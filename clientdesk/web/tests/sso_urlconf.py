"""The site's URLs with single sign-on's routes, as clientdesk/urls.py has them when SSO is on
(its list is built once at import, while the test settings have SSO off)."""

from django.urls import include, path

from clientdesk import urls

urlpatterns = [path("sso/", include("clientdesk.web.sso_urls")), *urls.urlpatterns]

handler400 = urls.handler400
handler403 = urls.handler403
handler404 = urls.handler404
handler500 = urls.handler500
