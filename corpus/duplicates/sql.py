"""Plain SQL helpers for the near-duplicate tables: the ORM spent most of a bulk pass building objects."""

import json

from django.db import connection


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def placeholders(values):
    return ", ".join(["%s"] * len(values))


def select_in(cursor, sql, values, *params, size=50_000):
    """Rows of `sql` (a query with one `{IN}`, after any %s in `params`) for `values`, a few queries of `size`
    values each: `column = ANY(array)` on PostgreSQL, a JSON array joined on SQLite (no limit on variables)."""
    values = list(values)
    rows = []
    for i in range(0, len(values), size):
        chunk = values[i : i + size]
        if connection.vendor == "postgresql":
            cursor.execute(sql.format(IN="= ANY(%s)"), [*params, chunk])
        else:
            cursor.execute(sql.format(IN="IN (SELECT value FROM json_each(%s))"), [*params, json.dumps(chunk)])
        rows += cursor.fetchall()
    return rows
