"""Session settings of the statements that read a whole ledger."""

from contextlib import contextmanager

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


@contextmanager
def sorted_aggregation(cr):
    """Within the block, aggregate by reading in index order instead of hashing, in one
    process: for the "over limit" search, which sums every customer's rows of the
    exposure ledger. The ledger's index on (partner, company) gives them in customer
    order, so the per-customer sums stream with no hash table: 4.1-4.5 s → 1.3-1.8 s on
    the 10M-line bench ledger, 325 → 194-290 ms at 1M (docs/benchmarks.md). Two parallel
    workers each rebuilt the whole aggregate of the join's inner side, and the hash
    aggregate of 200,000 customers cost more than the scan. Restored when the block ends.
    """
    cr.execute(SQL("SET LOCAL enable_hashagg = off; SET LOCAL max_parallel_workers_per_gather = 0"))
    try:
        yield
    finally:
        cr.execute(
            SQL(
                "SET LOCAL enable_hashagg TO DEFAULT;"
                " SET LOCAL max_parallel_workers_per_gather TO DEFAULT"
            )
        )
