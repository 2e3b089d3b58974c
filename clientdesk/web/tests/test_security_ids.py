"""A path id no id column can hold answers 404 on the pages and 422 in the API, on both databases.

Django 5.2 turns an out-of-range integer lookup into an empty result (no OverflowError on SQLite,
no DataError on PostgreSQL); the API's path ids are bounded by their type
(`lib/api_types.RecordId`, 1 to 2**63-1) and answer 422 naming the field. PostgreSQL's test
database is where a DataError would show: it aborts the test's transaction.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from clientdesk.lib.record_ids import MAX_ID
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/{huge}/",
        "/accounts/{huge}/edit/",
        "/accounts/{acme}/contacts/{huge}/edit/",
        "/guarantees/accounts/{huge}/",
    ],
)
@pytest.mark.parametrize("huge", [MAX_ID, MAX_ID + 1, 10**30])
def test_a_huge_id_in_a_page_path_answers_404(
    client: Client, cast: Cast, path: str, huge: int
) -> None:
    client.force_login(cast.mia)
    assert client.get(path.format(huge=huge, acme=cast.acme.pk)).status_code == 404
    # The transaction is still usable afterwards (PostgreSQL aborts it on a DataError).
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert client.get(f"/accounts/{cast.acme.pk}/").status_code == 200


@pytest.mark.parametrize("huge", [MAX_ID + 1, 10**30])
def test_a_huge_id_in_an_api_path_answers_422_naming_it(
    client: Client, cast: Cast, huge: int
) -> None:
    token = do_create_api_token(cast.mia, "t", acting_user=cast.mia)[1]
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get(f"/api/accounts/{huge}/contacts", headers=headers)
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == ["account_id"]
    assert client.get(f"/api/accounts/{cast.acme.pk}", headers=headers).status_code == 200
