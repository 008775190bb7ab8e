"""The one definition of an open receivable line, for every query of the addon.

Exposure, the "over limit" and "overdue" searches, the overdue escalation and the aging
all read "posted receivable lines not yet settled" from ``account_move_line``. They
build that predicate here, and the partial indexes they rely on repeat it word for word
(PostgreSQL uses a partial index only when it can prove the query implies its predicate).
"""

from odoo.tools import SQL

# State part of the predicate, as the partial indexes of the exposure and the aging
# declare it (column names without alias).
OPEN_LINE_PREDICATE = (
    "parent_state = 'posted' AND amount_residual <> 0"
    " AND (reconciled IS NULL OR reconciled = false OR reconciled IS NOT true)"
)
RECEIVABLE_ACCOUNTS_SQL = SQL(
    "(SELECT id FROM account_account WHERE account_type = 'asset_receivable')"
)
# The same as an array: usable as an index condition on ``account_id``.
RECEIVABLE_ARRAY_SQL = SQL(
    "ARRAY(SELECT id FROM account_account WHERE account_type = 'asset_receivable')"
)


def open_receivable_sql(alias="aml", company_id=None, debts_only=False, account_ids=None):
    """WHERE clause of the open receivable lines of table alias ``alias``.

    - posted, not fully reconciled, something still open (debit or credit);
    - ``company_id``: of that company only;
    - ``debts_only``: only what the customer owes (a positive residual: overdue
      invoices, not unapplied payments or credit notes);
    - ``account_ids``: an SQL array of the receivable accounts (the aging passes one it
      computed once), else every receivable account.
    """
    table = SQL.identifier(alias)
    accounts = (
        SQL("%s.account_id = ANY(%s)", table, account_ids)
        if account_ids is not None
        else SQL("%s.account_id IN %s", table, RECEIVABLE_ACCOUNTS_SQL)
    )
    parts = [
        accounts,
        SQL(
            "%(t)s.parent_state = 'posted' AND %(t)s.amount_residual <> 0"
            " AND (%(t)s.reconciled IS NULL OR %(t)s.reconciled = false"
            " OR %(t)s.reconciled IS NOT true)",
            t=table,
        ),
    ]
    if company_id is not None:
        parts.append(SQL("%s.company_id = %s", table, company_id))
    if debts_only:
        parts.append(SQL("%s.amount_residual > 0", table))
    return SQL("(%s)", SQL(" AND ").join(parts))


def undisputed_sql(alias="aml"):
    """The sibling predicate "the line's invoice is not in dispute" (``account.move.
    credit_dispute``), for the queries that chase debts: the escalation, its automatic
    hold and release, the reminder lists. The exposure and the aging never use it: a
    disputed invoice is still owed. A partial index on the disputed moves keeps it cheap.
    """
    return SQL(
        "NOT EXISTS (SELECT 1 FROM account_move disputed"
        " WHERE disputed.id = %s.move_id AND disputed.credit_dispute IS TRUE)",
        SQL.identifier(alias),
    )


def undisputed_domain():
    """:func:`undisputed_sql` as an ORM domain on ``account.move.line``."""
    return [("move_id.credit_dispute", "=", False)]


def open_receivable_domain(company_id=None):
    """The same predicate as an ORM domain on ``account.move.line`` (for the list of
    open items a user opens from the exposure: the lines behind the figures)."""
    domain = [
        ("account_id.account_type", "=", "asset_receivable"),
        ("parent_state", "=", "posted"),
        ("reconciled", "=", False),
        ("amount_residual", "!=", 0),
    ]
    if company_id is not None:
        domain.append(("company_id", "=", company_id))
    return domain
