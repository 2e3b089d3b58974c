"""Ibis expressions compiled to SQL once per shape, for the process.

Compiling an Ibis expression to SQL is Python work: 10 to 40 ms for the marts here (Ibis
rewrites the whole graph several times, then sqlglot writes it out). A utilization page
compiles a dozen of them on every request, and the same dozen each time but for the tables'
names: each lake registers its tables as views of its own (`lake_medical_claim_<suffix>`), and
an in-memory table (a month calendar) gets a new name each time it is made.

`ShapeCache.compile` keys the SQL by the expression's *shape*: its graph in Ibis's own
breadth-first order, each node's type and arguments, each table leaf (a database table or an
in-memory one) standing for its schema and namespace but not its name or its data. A shape
seen for the first time is compiled once with its leaves given stand-in names (holding a
nonce of the process, which no literal holds) and that SQL is kept; each call then writes
its own tables' names in place of the stand-ins. Two expressions of one shape are one query
over other tables, so this is the SQL Ibis compiles for them (tests compile both ways and
compare). An expression with parameters, a SQL string or an unbound table compiles as before.
The cache is bounded, least recently used out first.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from decimal import Decimal
from typing import Any, TypeAlias

import ibis.expr.operations as ops
import ibis.expr.types as ir
import sqlglot as sg
from ibis.common.collections import FrozenDict
from ibis.common.graph import Node, bfs

Leaf: TypeAlias = "ops.DatabaseTable | ops.InMemoryTable"
Shape = tuple[Hashable, ...]
Compile = Callable[[ir.Expr], str]

# Nodes whose SQL depends on more than their arguments' values (a parameter's value, a SQL
# string's own parse, a sample's kind of table): compiled every time.
_UNSHAPED = (
    ops.SQLQueryResult,
    ops.SQLStringView,
    ops.ScalarParameter,
    ops.UnboundTable,
    ops.Sample,
)
# Values that compare equal yet print apart (1.0 and 1.00, 0.0 and -0.0, one instant in two
# time zones): their text is part of the shape.
_BY_TEXT = (float, Decimal, dt.date, dt.time, dt.timedelta)
_CHILD = object()  # marks a reference to another node of the graph


def shape_of(op: Node) -> tuple[Shape, list[Leaf]] | None:
    """The shape of `op`'s graph and its table leaves in the graph's order, or None when
    the graph holds a node whose SQL is not a function of its shape and leaf names."""
    graph = bfs(op)
    position = {node: i for i, node in enumerate(graph)}

    def argument(value: Any) -> Hashable:
        if isinstance(value, Node):
            return (_CHILD, position[value])
        if isinstance(value, tuple):
            return tuple(argument(v) for v in value)
        if isinstance(value, FrozenDict):
            return (type(value), tuple((k, argument(v)) for k, v in value.items()))
        if isinstance(value, _BY_TEXT):
            return (type(value), value, repr(value))
        return (type(value), value)

    shape: list[Hashable] = []
    leaves: list[Leaf] = []
    for node in graph:
        if isinstance(node, ops.DatabaseTable):
            shape.append((ops.DatabaseTable, node.schema, node.namespace))
            leaves.append(node)
        elif isinstance(node, ops.InMemoryTable):
            shape.append((ops.InMemoryTable, node.schema))
            leaves.append(node)
        elif isinstance(node, _UNSHAPED):
            return None
        else:
            shape.append((type(node), tuple(argument(a) for a in node.__args__)))
    return tuple(shape), leaves


class ShapeCache:
    """SQL by expression shape, for one SQL dialect; `size` shapes at most."""

    def __init__(self, dialect: str, size: int = 256) -> None:
        self.dialect = dialect
        self.size = size
        self.hits = 0
        self.misses = 0
        self._nonce = secrets.token_hex(8)
        self._quoted_stand_ins: list[str] = []  # by leaf position, as the compiler writes them
        self._sql: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def compile(
        self,
        expr: ir.Expr,
        compile: Compile,
        *,
        limit: int | str | None = None,
        has_params: bool = False,
        pretty: bool = False,
    ) -> str:
        """`expr` as SQL: `compile(expr)` itself (the backend's own compile, with the same
        limit and parameters) unless its shape was compiled before."""
        shaped = None if has_params else shape_of(expr.op())
        if shaped is None:
            return compile(expr)
        shape, leaves = shaped
        key = (shape, limit, pretty)
        with self._lock:
            template = self._sql.get(key)
            if template is not None:
                self._sql.move_to_end(key)
                self.hits += 1
        if template is None:
            template = compile(self._with_stand_ins(expr, leaves))
            with self._lock:
                self.misses += 1
                self._sql[key] = template
                while len(self._sql) > self.size:
                    self._sql.popitem(last=False)
        sql = template
        for stand_in, leaf in zip(self._quoted(len(leaves)), leaves, strict=True):
            sql = sql.replace(stand_in, self._quote(leaf.name))
        return sql

    def clear(self) -> None:
        with self._lock:
            self._sql.clear()
            self.hits = self.misses = 0

    def _stand_in(self, i: int) -> str:
        return f"cd_shape_{self._nonce}_{i}"

    def _quote(self, name: str) -> str:
        return str(sg.to_identifier(name, quoted=True).sql(dialect=self.dialect))

    def _quoted(self, count: int) -> list[str]:
        """The first `count` stand-ins as they appear in the SQL, quoted once a process."""
        with self._lock:
            while len(self._quoted_stand_ins) < count:
                self._quoted_stand_ins.append(
                    self._quote(self._stand_in(len(self._quoted_stand_ins)))
                )
            return self._quoted_stand_ins[:count]

    def _with_stand_ins(self, expr: ir.Expr, leaves: list[Leaf]) -> ir.Expr:
        """`expr` with each table leaf an unbound table of its schema and namespace, named
        by its stand-in: the compiler writes a database table, an unbound table and an
        in-memory table alike (the name, in its namespace)."""
        unbound = {
            leaf: ops.UnboundTable(
                name=self._stand_in(i),
                schema=leaf.schema,
                namespace=leaf.namespace
                if isinstance(leaf, ops.DatabaseTable)
                else ops.Namespace(),
            )
            for i, leaf in enumerate(leaves)
        }
        return expr.op().replace(unbound).to_expr()
