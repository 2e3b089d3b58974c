"""SQL that validates and types a whole source file at once (DuckDB, vectorized).

A file is read twice, each time by one DuckDB query over the whole file (never a Python loop
over rows):

1. `narrow_sql` checks every value of every row against its column's type and rule, plus the
   cross-column row checks, and keeps a narrow row per source row, in file order: the keys,
   what finds the sponsor, and the reasons when the row is wrong (NULL when it is right).
   Created as a table, its rowid gives each row's line.
2. After the steps that need the whole file (duplicate keys, sponsor lookup), `write_sql`
   reads the file again and selects the typed rows that passed, joined to the verdict table
   by position (both in file order), for writing as Parquet.

Reading twice costs less than holding a wide file in memory: parsing is cheap next to the
Parquet encoding, which a bare copy pays too. No step numbers rows with a window function,
which would serialize the parallel CSV reader.

Values are taken as written: an empty field, `NULL` or `null` is empty; surrounding spaces are
kept (so ` E119` fails the ICD-10-CM check rather than loading as something else).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from clientdesk.lake.schemas import (
    EARLIEST_DATE,
    LATEST_DATE,
    OPEN_END_DATE,
    AccountSource,
    ByCodeType,
    Column,
    Kind,
    TableSchema,
    sql_literal,
)

MAX_LINE_BYTES = 1_048_576  # a longer line is a malformed file (a huge field or a lost quote)
NULL_TOKENS = ("", "NULL", "null")
REASON_SEPARATOR = " | "
WARNING_FIELD = "\x1f"  # between a warning's column, rule and value
WARNING_SEPARATOR = "\x1e"  # between the warnings of one row
SHOWN_VALUE_CHARS = 40
# A value in one of these columns identifies a member: a reject's reason, the warnings file,
# the batch page and the JSON output say which column and rule, never the value.
MEMBER_VALUE_COLUMNS = frozenset(
    {
        "person_id", "member_id", "subscriber_id", "social_security_number", "first_name",
        "middle_name", "last_name", "name_suffix", "birth_date", "death_date", "address", "city",
        "zip_code", "phone", "email",
    }
)  # fmt: skip
MASKED_VALUE = "(masked)"


class SourceFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
    ARROW = "arrow"  # rows in memory, registered on the connection under `path`


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class SourceFile:
    """A file to load and how its columns map onto the table's columns."""

    path: str
    format: SourceFormat
    header: tuple[str, ...]  # the file's column names, in file order
    mapping: dict[str, str]  # schema column -> the file's column name
    float_columns: frozenset[str] = frozenset()  # Parquet columns stored as floating point

    def reader_sql(self) -> str:
        """A FROM-clause item over the file with every column as text.

        Rows come in file order (DuckDB keeps insertion order), so the table the narrow
        query creates numbers them: a row's line is `rowid + line_offset`."""
        path = sql_literal(self.path)
        if self.format == SourceFormat.CSV:
            columns = ", ".join(f"{sql_literal(h)}: 'VARCHAR'" for h in self.header)
            nulls = ", ".join(sql_literal(t) for t in NULL_TOKENS)
            return (
                f"read_csv({path}, header = true, auto_detect = false, "
                f"columns = {{{columns}}}, delim = ',', quote = '\"', escape = '\"', "
                f"nullstr = [{nulls}], max_line_size = {MAX_LINE_BYTES}, "
                f"strict_mode = true, encoding = 'utf-8')"
            )
        if self.format == SourceFormat.ARROW:
            return quote_ident(self.path)
        return f"read_parquet({path})"

    @property
    def line_offset(self) -> int:
        """Line of the first row: a CSV's header is line 1; Parquet (and Arrow) rows count
        from 1."""
        return 2 if self.format == SourceFormat.CSV else 1


def typed_name(col: Column) -> str:
    """Name of a column's typed value in the validation query."""
    return quote_ident(col.name if col.kind == Kind.STRING else f"{col.name}__t")


class FileValidation:
    """Builds the SQL that validates one source file against one table's schema."""

    def __init__(
        self, schema: TableSchema, source: SourceFile, *, for_new_accounts: bool = False
    ) -> None:
        self.schema = schema
        self.source = source
        # Columns the file has, and those a normaliser can fill from columns it has (e.g.
        # diagnosis_code_type from diagnosis_code_1).
        self.present = [
            c
            for c in schema.columns
            if c.name in source.mapping
            or (
                c.normalize is not None
                and c.normalize.inputs
                and all(n in source.mapping for n in c.normalize.inputs)
            )
        ]
        self.available = {c.name for c in self.present}
        narrow = set(schema.key)
        if schema.account_source == AccountSource.GROUP_ID_OR_ELIGIBILITY:
            narrow |= {"member_id", "data_source"}
        if schema.service_date and any(c.name == "paid_amount" for c in schema.columns):
            narrow.add("paid_amount")  # what the rejected claim lines were worth, per month
        if for_new_accounts:
            narrow |= {"group_name", "state", "person_id", "subscriber_id"}
            narrow.add(self.account_date_column())
        parsed = narrow | {"group_id", *schema.service_date}
        for check in schema.row_checks:
            parsed |= set(check.columns)
        for col in schema.columns:
            if isinstance(col.rule, ByCodeType):
                parsed.add(col.rule.type_column)
        # Free-text columns with nothing to check are not even parsed by the first read.
        self.checked = [
            c
            for c in self.present
            if c.required or c.rule is not None or c.kind != Kind.STRING or c.name in parsed
        ]
        for col in self.present:
            if col.normalize is not None:
                parsed |= set(col.normalize.inputs)
        self.checked = [
            c
            for c in self.present
            if c in self.checked or c.name in parsed or c.normalize is not None
        ]
        self.narrow = [c for c in self.present if c.name in narrow]

    def account_date_column(self) -> str:
        """The date that dates an account created from this table's rows."""
        for col in self.schema.columns:
            if col.kind in (Kind.DATE, Kind.TIMESTAMP) and col.required:
                return col.name
        return self.schema.service_date[0] if self.schema.service_date else ""

    # --- expressions ---------------------------------------------------------------------

    def text(self, col: Column) -> str:
        """A column's text from the raw scan `src` (NULL when empty or absent)."""
        if col.name not in self.source.mapping:
            return "CAST(NULL AS VARCHAR)"
        raw = f"src.{quote_ident(self.source.mapping[col.name])}"
        if self.source.format == SourceFormat.CSV:
            return raw  # read_csv already turned the null tokens into NULL
        if col.kind == Kind.AMOUNT and col.name in self.source.float_columns:
            # Binary floating point carries noise (0.1 + 0.2); cents are what was meant
            # unless the value really has more decimals.
            raw = (
                f"CASE WHEN abs({raw} - round({raw}, 2)) < 0.000001 "
                f"THEN CAST(CAST(round({raw}, 2) AS DECIMAL(18,2)) AS VARCHAR) "
                f"ELSE CAST({raw} AS VARCHAR) END"
            )
        else:
            raw = f"CAST({raw} AS VARCHAR)"
        return f"nullif({raw}, '')"

    @staticmethod
    def typed(col: Column, text: str) -> str:
        """The typed value of a column from its text (NULL when it does not parse)."""
        if col.kind == Kind.STRING:
            return text
        if col.kind == Kind.QUANTITY:
            number = f"TRY_CAST({text} AS DOUBLE)"
            return f"CASE WHEN isfinite({number}) THEN {number} END"
        return f"TRY_CAST({text} AS {col.duckdb_type})"

    def _text_of(self, name: str) -> str:
        """The text of another column in the validation query, NULL when the file lacks it."""
        return quote_ident(name) if name in self.available else "CAST(NULL AS VARCHAR)"

    def _problems(self, col: Column) -> list[tuple[str, str]]:
        """(predicate true when the value is wrong, SQL of the reason) for one column."""
        text = quote_ident(col.name)
        typed = typed_name(col)
        shown = (
            sql_literal(MASKED_VALUE)
            if col.name in MEMBER_VALUE_COLUMNS
            else f"left({text}, {SHOWN_VALUE_CHARS})"
        )

        def said(what: str) -> str:
            return f"concat({sql_literal(f'{col.name}: {what}: ')}, {shown})"

        problems: list[tuple[str, str]] = []
        if col.required:
            problems.append((f"{text} IS NULL", sql_literal(f"{col.name}: required, empty")))
        if col.kind in (Kind.DATE, Kind.TIMESTAMP):
            label = "date (YYYY-MM-DD)" if col.kind == Kind.DATE else "timestamp (ISO 8601)"
            problems.append((f"{text} IS NOT NULL AND {typed} IS NULL", said(f"not a {label}")))
            cast = "DATE" if col.kind == Kind.DATE else "TIMESTAMPTZ"
            outside = f"({typed} < {cast} '{EARLIEST_DATE}' OR {typed} > {cast} '{LATEST_DATE}')"
            if col.open_end:
                outside = f"({outside} AND {typed} <> {cast} '{OPEN_END_DATE}')"
            problems.append(
                (
                    f"{typed} IS NOT NULL AND {outside}",
                    said(f"outside {EARLIEST_DATE[:4]}-{LATEST_DATE[:4]}"),
                )
            )
        elif col.kind == Kind.AMOUNT:
            bad = (
                f"{text} IS NOT NULL AND ({typed} IS NULL OR NOT regexp_full_match({text}, "
                r"'[-+]?([0-9]{1,16}(\.[0-9]{0,2})?|\.[0-9]{1,2})'))"
            )
            problems.append((bad, said("not an amount with at most 2 decimals")))
        elif col.kind in (Kind.INTEGER, Kind.FLAG):
            bad = (
                f"{text} IS NOT NULL AND ({typed} IS NULL OR NOT regexp_full_match({text}, "
                r"'[-+]?[0-9]{1,10}(\.0*)?'))"
            )
            problems.append((bad, said("not a whole number")))
        elif col.kind == Kind.QUANTITY:
            problems.append((f"{text} IS NOT NULL AND {typed} IS NULL", said("not a number")))
        elif col.kind == Kind.BOOLEAN:
            problems.append(
                (f"{text} IS NOT NULL AND {typed} IS NULL", said("not true/false (or 1/0)"))
            )
        if col.rule is not None and not col.warn:
            problems.append((self.rule_broken(col), said(f"expected {col.rule.expects()}")))
        return problems

    def rule_broken(self, col: Column) -> str:
        """SQL true when a column's value is there and fails its rule."""
        if col.rule is None:
            return "FALSE"
        value = typed_name(col) if col.rule.on_typed_value else quote_ident(col.name)
        helper = quote_ident(f"{col.name}__p") if col.rule.precompute(value) else ""
        check = col.rule.sql(value, self._text_of, helper)
        return f"{value} IS NOT NULL AND NOT ({check})"

    def warnings(self) -> list[tuple[str, str]]:
        """(predicate true when a value was changed, SQL of the warning item) for the
        checked columns: values normalised, and non-standard values nulled (`Column.warn`).
        An item is `column US label US shown value` (US = the unit separator)."""
        items: list[tuple[str, str]] = []
        for col in self.checked:
            name = quote_ident(col.name)
            prefix = col.name + WARNING_FIELD
            if col.normalize is not None:
                raw = quote_ident(f"{col.name}__in")
                shown = (
                    f"concat(coalesce(left({raw}, {SHOWN_VALUE_CHARS}), '(empty)'), ' -> ', "
                    f"left({name}, {SHOWN_VALUE_CHARS}))"
                )
                items.append(
                    (
                        f"{name} IS NOT NULL AND {raw} IS DISTINCT FROM {name}",
                        f"concat({sql_literal(prefix + col.normalize.label + WARNING_FIELD)}, "
                        f"{shown})",
                    )
                )
            if col.warn and col.rule is not None:
                label = f"expected {col.rule.expects()} (value emptied, row kept)"
                items.append(
                    (
                        self.rule_broken(col),
                        f"concat({sql_literal(col.name + WARNING_FIELD + label + WARNING_FIELD)}, "
                        f"left({name}, {SHOWN_VALUE_CHARS}))",
                    )
                )
        return items

    def _row_check_sql(self, sql: str) -> str:
        def typed_ref(match: re.Match[str]) -> str:
            return typed_name(self.schema.column(match.group(1)))

        return re.sub(r"\bt\.([a-z_0-9]+)", typed_ref, sql)

    def problems(self) -> list[tuple[str, str]]:
        """Every (predicate, reason) of the file, in column order, then the row checks."""
        problems: list[tuple[str, str]] = []
        for col in self.checked:
            problems.extend(self._problems(col))
        for check in self.schema.row_checks:
            if not all(name in self.source.mapping for name in check.columns):
                continue
            guards = " AND ".join(
                f"{typed_name(self.schema.column(name))} IS NOT NULL" for name in check.columns
            )
            problems.append(
                (
                    f"{guards} AND NOT ({self._row_check_sql(check.sql)})",
                    sql_literal(check.reason),
                )
            )
        return problems

    # --- statements ----------------------------------------------------------------------

    def _texts_sql(self, columns: list[Column]) -> str:
        """`c0` (the raw texts of `columns`) and `c` (normalised, the raw kept as `<col>__in`)."""
        texts = ",\n  ".join(f"{self.text(c)} AS {quote_ident(c.name)}" for c in columns)
        normalized = [c for c in columns if c.normalize is not None]
        replaced = ", ".join(
            f"{c.normalize.sql(quote_ident(c.name), self._raw_text_of)} AS {quote_ident(c.name)}"
            for c in normalized
            if c.normalize is not None
        )
        kept = "".join(
            f", {quote_ident(c.name)} AS {quote_ident(c.name + '__in')}" for c in normalized
        )
        star = f"* REPLACE ({replaced})" if replaced else "*"
        return f"""c0 AS (
  SELECT {texts or "0 AS _nothing"}
  FROM {self.source.reader_sql()} src
), c AS (
  SELECT {star}{kept}
  FROM c0
)"""  # noqa: S608  # quoted names and literals only

    def _raw_text_of(self, name: str) -> str:
        return quote_ident(name) if name in self.available else "CAST(NULL AS VARCHAR)"

    def narrow_sql(self) -> str:
        """SELECT with one narrow row per source row (see the module docstring).

        Columns: the narrow columns (typed) under their own names, `_group` (the upper-cased
        group_id when it has the right shape), `_group_sent` (group_id not empty),
        `_service_date`, `_reasons`. Created as a table, its rowid numbers the source rows."""
        return f"""
WITH {self._texts_sql(self.checked)}, t AS (
  SELECT *{self._typed_values(self.checked)}
  FROM c
), p AS (
  SELECT *{self._helpers(self.checked, warned_only=False)}
  FROM t
), checked AS (
  SELECT *, ({self._any_bad()}) AS _bad FROM p
)
SELECT
  {self._narrow_items("")}
FROM checked
"""  # noqa: S608  # quoted names and literals only

    def _typed_values(self, columns: list[Column]) -> str:
        return "".join(
            f",\n  {self.typed(c, quote_ident(c.name))} AS {typed_name(c)}"
            for c in columns
            if c.kind != Kind.STRING
        )

    def _helpers(self, columns: list[Column], *, warned_only: bool) -> str:
        """Values a rule needs more than once, computed once, a level below the checks."""
        helpers = ""
        for col in columns:
            if col.rule is None or (warned_only and not col.warn):
                continue
            value = typed_name(col) if col.rule.on_typed_value else quote_ident(col.name)
            pre = col.rule.precompute(value)
            if pre:
                helpers += f",\n  {pre} AS {quote_ident(col.name + '__p')}"
        return helpers

    def _any_bad(self) -> str:
        return " OR ".join(f"({p})" for p, _ in self.problems()) or "FALSE"

    def _narrow_items(self, prefix: str) -> str:
        """The select list of `narrow_sql` (its names prefixed with `prefix`) over `checked`."""
        problems = self.problems()
        reasons = ", ".join(f"CASE WHEN {p} THEN {r} END" for p, r in problems) or "NULL"
        warned = self.warnings()
        warnings = (
            f"nullif(concat_ws({sql_literal(WARNING_SEPARATOR)}, "
            + ", ".join(f"CASE WHEN {p} THEN {w} END" for p, w in warned)
            + "), '')"
            if warned
            else "CAST(NULL AS VARCHAR)"
        )

        def named(name: str) -> str:
            return quote_ident(prefix + name)

        narrow = "".join(f"{typed_name(c)} AS {named(c.name)}, " for c in self.narrow)
        # Key columns the file lacks (optional ones) are empty, so keys can be compared alike.
        for name in self.schema.key:
            if name not in self.source.mapping:
                col = self.schema.column(name)
                narrow += f"CAST(NULL AS {col.duckdb_type}) AS {named(name)}, "
        group = (
            "CASE WHEN regexp_full_match(upper(\"group_id\"), '[A-Z0-9][A-Z0-9-]{2,19}') "
            'THEN upper("group_id") END'
            if "group_id" in self.source.mapping
            else "CAST(NULL AS VARCHAR)"
        )
        dates = [
            typed_name(self.schema.column(n))
            for n in self.schema.service_date
            if n in self.source.mapping
        ]
        service_date = (
            f"coalesce({', '.join(dates)})"
            if dates and self.schema.account_source == AccountSource.GROUP_ID_OR_ELIGIBILITY
            else "CAST(NULL AS DATE)"
        )
        sent = '"group_id" IS NOT NULL' if "group_id" in self.source.mapping else "FALSE"
        p = prefix  # an identifier's start: the names below need no quotes
        return f"""{narrow}{group} AS {p}_group,
  {sent} AS {p}_group_sent,
  {service_date} AS {p}_service_date,
  CASE WHEN _bad THEN concat_ws({sql_literal(REASON_SEPARATOR)}, {reasons}) END AS {p}_reasons,
  {warnings} AS {p}_warnings"""

    def typed_sql(self) -> str:
        """SELECT of every source row as a typed lake row in schema order (the columns of
        `write_sql` before account_id and batch_id: non-standard values nulled, file_name
        and ingest_datetime as sent), with no verdict: for rows checked part by part, whose
        verdict comes once the whole file is read (`ingestion.StreamedRows`)."""
        return self._typed_rows_sql({})

    def checked_rows_sql(self, narrow_prefix: str) -> str:
        """`typed_sql` and `narrow_sql` in one pass over the source (the texts normalised and
        typed once), for rows checked part by part (`ingestion.StreamedRows`): the columns
        of `typed_sql` the source has (the others are null there), in schema order, then
        those of `narrow_sql`, each named `narrow_prefix` + its name."""
        columns = ",\n  ".join(
            f"{self._typed_column(col)} AS {quote_ident(col.name)}"
            for col in self.schema.columns
            if col.name in self.available
        )
        return f"""
WITH {self._texts_sql(self.present)}, t AS (
  SELECT *{self._typed_values(self.present)}
  FROM c
), p AS (
  SELECT *{self._helpers(self.checked, warned_only=False)}{
            self._helpers([c for c in self.present if c not in self.checked], warned_only=True)
        }
  FROM t
), checked AS (
  SELECT *, ({self._any_bad()}) AS _bad FROM p
)
SELECT
  {columns or "0 AS _nothing"},
  {self._narrow_items(narrow_prefix)}
FROM checked
"""  # noqa: S608  # quoted names and literals only

    def _typed_column(self, col: Column) -> str:
        """A column's value as the lake stores it (non-standard values nulled)."""
        expr = typed_name(col)
        if col.warn and col.rule is not None:
            expr = f"CASE WHEN {self.rule_broken(col)} THEN NULL ELSE {expr} END"
        return expr

    def _typed_rows_sql(self, fills: dict[str, str]) -> str:
        selected = []
        for col in self.schema.columns:
            if col.name in self.available:
                expr = self._typed_column(col)
            else:
                expr = f"CAST(NULL AS {col.duckdb_type})"
            if col.name in fills:
                expr = f"coalesce({expr}, {fills[col.name]})"
            selected.append(f"{expr} AS {quote_ident(col.name)}")
        columns = ",\n  ".join(selected)
        return f"""
WITH {self._texts_sql(self.present)}, t AS (
  SELECT *{self._typed_values(self.present)}
  FROM c
), p AS (
  SELECT *{self._helpers(self.present, warned_only=True)}
  FROM t
)
SELECT
  {columns}
FROM p
"""  # noqa: S608  # quoted names and literals only

    def write_sql(
        self, *, verdict_table: str, batch_id: int, file_name: str, ingested_at: str
    ) -> str:
        """SELECT of the rows to load as typed lake rows in schema order, then account_id and
        batch_id. Empty file_name and ingest_datetime are filled with the file's name and the
        batch's start.

        `verdict_table` has one row per source row in file order, with `reasons` (empty when
        the row loads), `account_id` and the key columns; it is joined by position, and the
        key (unique among loaded rows) is compared, so a misaligned join would load fewer rows
        than passed, which the load treats as a failure, never wrong rows."""
        fills = {
            "file_name": sql_literal(file_name),
            "ingest_datetime": f"TIMESTAMPTZ {sql_literal(ingested_at)}",
        }
        same_key = " AND ".join(
            f"v.{quote_ident(k)} IS NOT DISTINCT FROM w.{quote_ident(k)}" for k in self.schema.key
        )
        names = ", ".join(f"w.{quote_ident(c.name)}" for c in self.schema.columns)
        return f"""
SELECT
  {names},
  v.account_id AS account_id,
  CAST({int(batch_id)} AS BIGINT) AS batch_id
FROM ({self._typed_rows_sql(fills)}) w
POSITIONAL JOIN {quote_ident(verdict_table)} v
WHERE v.reasons = '' AND {same_key}
"""  # noqa: S608  # quoted names and literals only
