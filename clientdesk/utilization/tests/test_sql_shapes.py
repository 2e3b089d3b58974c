"""The utilization pages run the SQL Ibis compiles for them, most of it from the process's
SQL shapes (`lake.sql_shapes`): each request's lake has views of its own."""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir
import pytest
from django.test import Client
from django.urls import reverse

from clientdesk.lake import gateway
from clientdesk.testing import Cast
from clientdesk.utilization import views
from clientdesk.utilization.analysis import clear_caches

pytestmark = pytest.mark.django_db
Q = {"period": "2025Q2", "threshold": "10000"}


def test_every_query_of_the_pages_is_the_sql_ibis_compiles(
    book: Cast, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    shapes = gateway._SQL_SHAPES
    shapes.clear()
    cached = shapes.compile
    compiled: list[str] = []
    wrong: list[str] = []

    def checked(expr: ir.Expr, compile: Any, **options: Any) -> str:
        sql = cached(expr, compile, **options)
        compiled.append(sql)
        if sql != compile(expr):  # what Ibis compiles for this expression, names and all
            wrong.append(sql)
        return sql

    monkeypatch.setattr(shapes, "compile", checked)

    def visit(user: Any, url: str) -> tuple[int, int]:
        clear_caches()  # the reports' and the pages' own memos would answer without a query
        views._report_sections.clear()
        client.force_login(user)
        before = len(compiled), shapes.hits
        assert client.get(url, Q).status_code == 200
        return len(compiled) - before[0], shapes.hits - before[1]

    acme = reverse("utilization:account", args=[book.acme.pk])
    queries, hits = visit(book.alice, acme)
    assert queries > 10 and hits < queries
    again, hits = visit(book.bob, acme)  # another lake of views, the same shapes
    assert again > 10 and hits == again
    # Another account: its lake's views hold other rows, its queries are the same shapes.
    bayside, hits = visit(book.oscar, reverse("utilization:account", args=[book.bayside.pk]))
    assert bayside > 10 and hits == bayside
    visit(book.eve, reverse("utilization:book"))
    assert not wrong, wrong[0]
