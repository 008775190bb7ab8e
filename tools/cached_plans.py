"""Queries that PostgreSQL plans once per connection instead of once per call.

The exposure of one customer (a form, the banner, the credit check at confirmation)
runs in about 0.3 ms on the 1M-line bench ledger, but PostgreSQL spends 2 to 4 ms
*planning* it each time: the receivable lines carry some thirty indexes, several of them
partial, whose predicates the planner tries one by one (docs/benchmarks.md, issue 11).
The shape of such a query never changes, only its values do. So it lives in a PL/pgSQL
function, created when the module is installed or updated: PL/pgSQL keeps the plans of
its queries for the life of the connection, and ``plan_cache_mode = force_generic_plan``
(set for the function only) makes it plan once, whatever the values.

- The function's name ends with a hash of its text: code that changes the query without
  the module being updated finds no function of that name and runs the query inline
  (the same figures, planned each time) after a warning, never an outdated text.
- Only queries whose best plan does not depend on their values belong here: one
  customer, or a few (an index lookup per customer). A batch of thousands of customers
  keeps the inline query, planned for its size.
- Nothing is kept on the Python side of a connection: a pooler that swaps server
  connections (pgbouncer in transaction mode) works, each server connection planning
  the function once.
"""

import hashlib
import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

FUNCTION_PREFIX = "customer_credit_plan_"


class CachedQuery:
    """A query planned once per connection.

    - ``name``: a short identifier (the function is ``customer_credit_plan_<name>_<hash>``);
    - ``arguments``: ((name, PostgreSQL type), ...), referred to as ``$1``, ``$2``... in
      the body, in that order;
    - ``columns``: ((name, PostgreSQL type), ...), the rows returned, in the order of the
      body's select list;
    - ``build(*placeholders)``: returns the query (``odoo.tools.SQL``) given one SQL
      placeholder per argument, the way it is built inline given the values.
    """

    def __init__(self, name, arguments, columns, build):
        self.name = name
        self.arguments = tuple(arguments)
        self.columns = tuple(columns)
        self.build = build

    def placeholders(self):
        return [SQL(f"${position}") for position in range(1, len(self.arguments) + 1)]

    def body(self, cr):
        """The query's text with ``$n`` for the arguments (constants quoted by ``cr``)."""
        query = self.build(*self.placeholders())
        return cr.mogrify(query.code, query.params).decode()

    def function_name(self, cr):
        digest = hashlib.sha1(
            repr((self.arguments, self.columns, self.body(cr))).encode()
        ).hexdigest()[:12]
        return f"{FUNCTION_PREFIX}{self.name}_{digest}"

    def create_sql(self, cr):
        """``CREATE OR REPLACE FUNCTION`` of the query (for ``init()``)."""
        name = self.function_name(cr)
        arguments = ", ".join(f"{arg} {kind}" for arg, kind in self.arguments)
        # output columns are PL/pgSQL variables: prefixed so as never to shadow a column
        # of the body (and the body's columns win any conflict anyway)
        returns = ", ".join(f"out_{column} {kind}" for column, kind in self.columns)
        aliases = ", ".join(f"c{i}" for i in range(len(self.columns)))
        casts = ", ".join(
            f"q.c{i}::{kind}" for i, (_column, kind) in enumerate(self.columns)
        )
        code = (
            f"CREATE OR REPLACE FUNCTION {name}({arguments})"
            f" RETURNS TABLE ({returns})"
            " LANGUAGE plpgsql STABLE PARALLEL SAFE"
            " SET plan_cache_mode = force_generic_plan"
            f" AS $customer_credit$\n#variable_conflict use_column\nBEGIN\n"
            f"RETURN QUERY SELECT {casts} FROM (\n{self.body(cr)}\n) AS q({aliases});\n"
            "END\n$customer_credit$"
        )
        return SQL(code.replace("%", "%%"))


def install(cr, queries):
    """Create the functions of ``queries`` and drop those of earlier versions."""
    names = set()
    for query in queries:
        cr.execute(query.create_sql(cr))
        names.add(query.function_name(cr))
    cr.execute(
        SQL(
            "SELECT p.oid::regprocedure::text FROM pg_proc p"
            " WHERE p.proname LIKE %s AND NOT (p.proname = ANY(%s))",
            FUNCTION_PREFIX.replace("_", r"\_") + "%",
            sorted(names),
        )
    )
    for (signature,) in cr.fetchall():
        cr.execute(SQL("DROP FUNCTION IF EXISTS %s", SQL(signature)))


def uninstall(cr):
    """Drop every function of this module (uninstall hook)."""
    cr.execute(
        SQL(
            "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.proname LIKE %s",
            FUNCTION_PREFIX.replace("_", r"\_") + "%",
        )
    )
    for (signature,) in cr.fetchall():
        cr.execute(SQL("DROP FUNCTION IF EXISTS %s", SQL(signature)))


def _function(env, query):
    """The function of ``query`` in this database, or None when it lacks it.

    Known per registry: updating the module in another process drops the functions of
    the earlier version and reloads every worker's registry, hence this cache.
    """
    known = env.registry.__dict__.setdefault("customer_credit_plans", {})
    if query.name not in known:
        cr = env.cr
        name = query.function_name(cr)
        cr.execute(SQL("SELECT to_regproc(%s) IS NOT NULL", name))
        exists = cr.fetchone()[0]
        if not exists:
            _logger.warning(
                "customer_credit: the function %s is missing: the query %s runs inline "
                "(planned at each call) until the module is updated (-u customer_credit)",
                name,
                query.name,
            )
        known[query.name] = name if exists else None
    return known[query.name]


def forget(env):
    """Forget which functions this registry found (after :func:`install`)."""
    env.registry.__dict__.pop("customer_credit_plans", None)


def execute(env, query, *values):
    """Run ``query`` with ``values`` (one per argument): its rows, as the inline query
    would give them."""
    cr = env.cr
    name = _function(env, query)
    if name is None:
        cr.execute(query.build(*(SQL("%s", value) for value in values)))
    else:
        cr.execute(
            SQL(
                "SELECT * FROM %s(%s)",
                SQL.identifier(name),
                SQL(", ").join(SQL("%s", value) for value in values),
            )
        )
    return cr.fetchall()
