"""The REST API root: token authentication, one error shape, and every app's router."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer

from clientdesk.accounts.api import router as accounts_router
from clientdesk.guarantees.api import router as guarantees_router
from clientdesk.inquiries.api import router as inquiries_router
from clientdesk.insights.api import router as insights_router
from clientdesk.people.tokens import user_for_token
from clientdesk.reports.api import router as reports_router
from clientdesk.utilization.api import router as utilization_router


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cd_…` with a personal token (see `clientdesk token create`)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="clientdesk API",
    version="1",
    description=(
        "Account-scoped API of clientdesk. Authenticate with `Authorization: Bearer <token>`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not allowed."}, status=403)


api.add_router("/accounts", accounts_router)
api.add_router("/guarantees", guarantees_router)
api.add_router("/inquiries", inquiries_router)
api.add_router("/insights", insights_router)
api.add_router("/utilization", utilization_router)
api.add_router("/reports", reports_router)
