"""Session settings of the statements that read a whole ledger."""

import contextlib

from psycopg2.extensions import TRANSACTION_STATUS_INERROR

from odoo.tools import SQL

# Above this many rows a statement is one of ours over a whole ledger (every customer,
# every open item): see :func:`whole_ledger_statement`.
MANY_PARTNERS = 1000


def whole_ledger_statement(cr):
    """Switch PostgreSQL's JIT compilation off for the rest of the transaction, before a
    statement that reads a whole ledger (every customer's exposure, the aging, the
    escalation scan, the "over limit" and quotation filters).

    From about 10M receivable lines their estimated cost passes ``jit_above_cost`` and
    PostgreSQL compiles them with inlining and optimisation: 2 to 8 s of compilation
    measured on the 10M-line bench ledger, for statements that run in a few seconds
    without it (docs/benchmarks.md, issue 15). ``SET LOCAL`` ends with the transaction,
    is allowed on a read-only replica and touches no other session.
    """
    cr.execute(SQL("SET LOCAL jit = off"))


@contextlib.contextmanager
def local_setting(cr, name, value):
    """Set PostgreSQL's ``name`` to ``value`` for the statements run inside the block,
    then give it back the value it had in the transaction (``set_config(…, true)``:
    the transaction's own, allowed on a read-only replica). ``value`` None: nothing is
    changed.

    When a statement of the block fails, nothing is given back: the transaction is
    aborted (a statement in it would only hide the error, such as a replica's "conflict
    with recovery", which Odoo retries), and rolling it back, or back to a savepoint
    taken before, undoes the setting anyway. After any other error the setting is given
    back before the error goes on."""
    if value is None:
        yield
        return
    cr.execute(SQL("SELECT current_setting(%s)", name))
    restore = SQL("SELECT set_config(%s, %s, true)", name, cr.fetchone()[0])
    cr.execute(SQL("SELECT set_config(%s, %s, true)", name, value))
    try:
        yield
    except BaseException:
        # a Python error leaves the transaction usable: give the setting back
        if cr.connection.info.transaction_status != TRANSACTION_STATUS_INERROR:
            cr.execute(restore)
        raise
    cr.execute(restore)


@contextlib.contextmanager
def parallel_statement(cr):
    """Let PostgreSQL plan the statements of the block in parallel wherever a table is
    large enough (``min_parallel_table_scan_size``): no cost for starting the workers
    and for passing rows back to the leader.

    For a statement whose result is one row per document of a whole company (the
    quotation filters' outcome of every open quotation): the default costs price the
    100,000 rows handed back more than the scans the workers share, and the planner
    keeps to one process (10M-line bench: 0.8 s in parallel against 1.3 s;
    docs/benchmarks.md, issue 15)."""
    with (
        local_setting(cr, "parallel_setup_cost", "0"),
        local_setting(cr, "parallel_tuple_cost", "0"),
    ):
        yield
