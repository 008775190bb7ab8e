"""Credit exposure: one SQL query per batch of commercial partners.

Pure helpers (no ORM): the query builder and the arithmetic that turns the
components into exposure, available credit and utilisation.
"""

from datetime import timedelta

from odoo.tools import SQL

from .exposure_ledger import CREDIT
from .exposure_ledger import DEBT
from .exposure_ledger import DRAFT
from .exposure_ledger import ENTRY_TABLE
from .exposure_ledger import ORDER_TABLE
from .exposure_ledger import TOTAL_TABLE
from .receivables import OPEN_LINE_PREDICATE

# Components of the exposure, in company currency, in display order.
EXPOSURE_COMPONENTS = (
    "credit_receivable_not_due",
    "credit_overdue",
    "credit_unapplied",
    "credit_draft_invoices",
    "credit_orders_uninvoiced",
)


# Partial indexes on the open items and the draft invoices, created by
# ``res.partner.init()``. The exposure read them until it read the exposure ledger
# (:mod:`exposure_ledger`); queries that filter on the open-item predicate of
# :mod:`receivables` word for word may still use the first. Whether to drop them is left
# to a measurement of their cost on writes (docs/benchmarks.md, "The exposure ledger").
# (name, table, columns, predicate)
EXPOSURE_INDEXES = (
    (
        "account_move_line_credit_exposure_idx",
        "account_move_line",
        "(account_id, partner_id) INCLUDE (company_id, amount_residual, date_maturity, date)",
        OPEN_LINE_PREDICATE,
    ),
    (
        "account_move_credit_draft_idx",
        "account_move",
        "(partner_id) INCLUDE (company_id, amount_total_signed)",
        "state = 'draft' AND move_type IN ('out_invoice', 'out_refund')",
    ),
)


def exposure_index_sql(name, table, columns, predicate):
    """``CREATE INDEX`` statement of an entry of :data:`EXPOSURE_INDEXES`."""
    return SQL(
        "CREATE INDEX IF NOT EXISTS %s ON %s %s WHERE %s",
        SQL.identifier(name),
        SQL.identifier(table),
        SQL(columns),
        SQL(predicate),
    )


def orders_uninvoiced_sql(company_id, key, join=None, where=None):
    """Confirmed orders of a company (None: of every company): ``key`` and what each
    order still has to invoice. The exposure reads it from the table the exposure
    ledger keeps (:mod:`exposure_ledger`), which recomputes an order with it.

    Per order, tax included, in company currency at the order's rate:

    - each product line counts for its ordered quantity not yet invoiced, whatever its
      invoicing policy (an order invoiced on delivery counts from confirmation, partly
      delivered or not); draft invoices are invoiced here (they are counted as drafts);
    - a down-payment line (ordered quantity 0) counts *minus* what was invoiced on it
      and not yet deducted: its invoices (down payment, then the deduction on the final
      invoice, or a credit note) summed tax included. A 10,000 order with a 3,000 down
      payment invoiced thus counts 7,000, the down-payment invoice its residual;
    - an order never counts below zero (a down payment not deducted from a final
      invoice is owed on the invoices, not given back by the order).

    ``join`` (SQL) may join ``so.partner_id`` to a partner set (the exposure joins its
    ``partners`` CTE so that PostgreSQL starts from the partners' orders); ``where`` (SQL)
    is a further condition on ``so``.
    """
    return SQL(
        """
        SELECT %(key)s AS key,
               GREATEST(SUM(CASE WHEN sol.is_downpayment
                                 THEN -COALESCE((
                                     -- signed by the line's balance: a down payment invoiced
                                     -- is a credit (+), its deduction or credit note a debit (-)
                                     SELECT SUM(-SIGN(il.balance) * ABS(il.price_total))
                                       FROM sale_order_line_invoice_rel rel
                                       JOIN account_move_line il ON il.id = rel.invoice_line_id
                                      WHERE rel.order_line_id = sol.id
                                        AND il.parent_state <> 'cancel'), 0)
                                 ELSE sol.price_total
                                      * (sol.product_uom_qty - sol.qty_invoiced) / sol.product_uom_qty
                            END), 0)
               / COALESCE(NULLIF(so.currency_rate, 0), 1) AS amount
          FROM sale_order so
          %(join)s
          JOIN sale_order_line sol ON sol.order_id = so.id
         WHERE so.state = 'sale'
           AND %(company)s
           AND %(where)s
           AND sol.display_type IS NULL
           AND ((sol.product_uom_qty > 0 AND sol.qty_invoiced < sol.product_uom_qty)
                OR (sol.is_downpayment AND sol.qty_invoiced <> 0))
         GROUP BY %(key)s, so.id
        """,
        key=key,
        join=join or SQL(""),
        where=where or SQL("TRUE"),
        company=SQL("TRUE") if company_id is None else SQL("so.company_id = %s", company_id),
    )


def ledger_orders_text(restricted=True):
    """What the exposure ledger's order table holds, as text for its functions: the
    orders of the array ``order_ids`` (``restricted``) or of every company."""
    query = orders_uninvoiced_sql(
        None, SQL("so.id"), where=SQL("so.id = ANY(order_ids)") if restricted else None
    )
    if query.params:
        raise ValueError("the ledger's order query must have no parameter")
    return query.code


def over_limit_sql(company_id, fallback_limit=0.0):
    """Return the SQL giving the ids of the commercial partners over their credit limit.

    Same total as :func:`exposure_sql` (open receivables, draft invoices, orders not
    invoiced), read from the exposure ledger's totals (one row per customer and
    company) and compared with the customer's limit. This keeps the "over limit" filter
    fast across every customer, whatever the ledger's size.
    """
    limit = SQL("COALESCE((cp.credit_limit ->> %s)::numeric, %s)", str(company_id), fallback_limit)
    return SQL(
        """
        SELECT cp.id
          FROM %(totals)s t
          JOIN res_partner cp ON cp.id = t.partner_id
         WHERE t.company_id = %(company_id)s AND %(limit)s > 0 AND t.amount > %(limit)s
        """,
        totals=SQL.identifier(TOTAL_TABLE),
        company_id=company_id,
        limit=limit,
    )


def customer_totals_sql(company_id, partner_ids=None):
    """Per commercial partner of ``partner_ids`` (an SQL subquery of commercial partner
    ids; None: every customer of the company): its total exposure (``total``, the sum of
    :func:`exposure_sql`'s components) and the earliest due date of its open debts
    (``debt_due``, NULL without any), read from the exposure ledger's totals. Something
    is overdue beyond a tolerance exactly when ``debt_due`` is before
    :func:`tolerance_cutoff`: a debt's residual is positive and rounded to the company
    currency, so it always exceeds half a rounding unit."""
    partners = SQL()
    if partner_ids is not None:
        partners = SQL("AND t.partner_id IN (%s)", partner_ids)
    return SQL(
        """
        SELECT t.partner_id, t.amount AS total, t.debt_due
          FROM %(totals)s t
         WHERE t.company_id = %(company_id)s %(partners)s
        """,
        totals=SQL.identifier(TOTAL_TABLE),
        company_id=company_id,
        partners=partners,
    )


def _entry_aggregates(today, cutoff):
    """The exposure's receivable and draft columns over the ledger's items ``k``."""
    return SQL(
        """
        SUM(k.amount) FILTER (WHERE k.kind = %(debt)s AND k.due >= %(today)s) AS not_due,
        SUM(k.amount) FILTER (WHERE k.kind = %(debt)s AND k.due < %(today)s) AS overdue,
        MAX(%(today)s - k.due) FILTER (
            WHERE k.kind = %(debt)s AND k.due < %(today)s) AS overdue_days_max,
        SUM(k.amount) FILTER (WHERE k.kind = %(credit)s) AS unapplied,
        SUM(k.amount) FILTER (WHERE k.kind = %(draft)s) AS draft_invoices,
        SUM(k.amount) FILTER (WHERE k.kind = %(debt)s AND k.due < %(cutoff)s) AS overdue_beyond
        """,
        debt=SQL(f"'{DEBT}'"),
        credit=SQL(f"'{CREDIT}'"),
        draft=SQL(f"'{DRAFT}'"),
        today=today,
        cutoff=cutoff,
    )


def exposure_sql(company_id, today, partner_ids=None, any_partner_ids=None, tolerance_days=0):
    """Return the SQL giving, per commercial partner, the exposure components.

    Columns: partner_id, not_due, overdue, overdue_days_max, unapplied,
    draft_invoices, orders_uninvoiced, overdue_beyond_tolerance (the part of
    ``overdue`` due more than ``tolerance_days`` ago: what the credit check blocks on).
    ``partner_ids`` are commercial partner ids (a list, or an SQL subquery giving them);
    ``any_partner_ids`` are partners of any kind, whose commercial partners are found in
    the same query; neither means every partner that has something open.

    Read from the exposure ledger (:mod:`exposure_ledger`), which the database keeps in
    step with the documents:

    - receivables: posted, unreconciled receivable lines at their residual in
      company currency, documents of contacts counted for their commercial
      partner; negative residuals (unapplied payments, open credit notes) are
      kept apart and reduce the exposure;
    - draft customer invoices and credit notes, signed, in company currency;
    - confirmed orders: what is still to invoice, tax included, converted at the
      order's rate (see :func:`orders_uninvoiced_sql`).

    One commercial partner in ``partner_ids`` (a form, the banner, the check of one
    customer) gets a simpler query with the same columns and figures (always one row).
    """
    cutoff = tolerance_cutoff(today, tolerance_days)
    if isinstance(partner_ids, (list, tuple)) and len(partner_ids) == 1:
        return _exposure_one_sql(company_id, partner_ids[0], today, cutoff)
    # Every customer (dashboard, watchlist): inlining the partner list into each part lets
    # PostgreSQL join and aggregate in parallel. A list of partners stays materialised.
    materialized = (
        SQL("NOT MATERIALIZED") if partner_ids is None and any_partner_ids is None else SQL()
    )
    if any_partner_ids is not None:
        partner_filter = SQL(
            "rp.commercial_partner_id IN (SELECT commercial_partner_id FROM res_partner"
            " WHERE id = ANY(%s))",
            list(any_partner_ids),
        )
    elif partner_ids is None:
        partner_filter = SQL("TRUE")
    elif isinstance(partner_ids, SQL):  # a subquery giving commercial partner ids
        partner_filter = SQL("rp.commercial_partner_id IN (%s)", partner_ids)
    else:
        partner_filter = SQL("rp.commercial_partner_id = ANY(%s)", list(partner_ids))
    return SQL(
        """
        WITH partners AS %(materialized)s (
            SELECT rp.id, rp.commercial_partner_id AS cid
              FROM res_partner rp
             WHERE %(partner_filter)s
        ),
        entries AS (
            SELECT p.cid, %(aggregates)s
              FROM %(entry_table)s k
              JOIN partners p ON p.id = k.partner_id
             WHERE k.company_id = %(company_id)s
             GROUP BY p.cid
        ),
        orders AS (
            SELECT p.cid, SUM(o.amount) AS orders_uninvoiced
              FROM %(order_table)s o
              JOIN partners p ON p.id = o.partner_id
             WHERE o.company_id = %(company_id)s
             GROUP BY p.cid
        )
        SELECT cid AS partner_id,
               COALESCE(SUM(not_due), 0), COALESCE(SUM(overdue), 0),
               COALESCE(MAX(overdue_days_max), 0), COALESCE(SUM(unapplied), 0),
               COALESCE(SUM(draft_invoices), 0), COALESCE(SUM(orders_uninvoiced), 0),
               COALESCE(SUM(overdue_beyond), 0)
          FROM (
                SELECT cid, not_due, overdue, overdue_days_max, unapplied, draft_invoices,
                       NULL::numeric AS orders_uninvoiced, overdue_beyond
                  FROM entries
                UNION ALL
                SELECT cid, NULL, NULL, NULL, NULL, NULL, orders_uninvoiced, NULL FROM orders
          ) AS parts
         GROUP BY cid
        """,
        materialized=materialized,
        partner_filter=partner_filter,
        aggregates=_entry_aggregates(today, cutoff),
        entry_table=SQL.identifier(ENTRY_TABLE),
        order_table=SQL.identifier(ORDER_TABLE),
        company_id=company_id,
    )


def _exposure_one_sql(company_id, commercial_id, today, cutoff):
    """:func:`exposure_sql` for one commercial partner: its items and its contacts'
    are found by id (no join to a partner set), each part summed without grouping."""
    partner_ids = SQL(
        "ANY(ARRAY(SELECT id FROM res_partner WHERE commercial_partner_id = %s))",
        commercial_id,
    )
    return SQL(
        """
        SELECT %(cid)s AS partner_id,
               COALESCE(r.not_due, 0), COALESCE(r.overdue, 0),
               COALESCE(r.overdue_days_max, 0), COALESCE(r.unapplied, 0),
               COALESCE(r.draft_invoices, 0), COALESCE(o.orders_uninvoiced, 0),
               COALESCE(r.overdue_beyond, 0)
          FROM (SELECT %(aggregates)s
                  FROM %(entry_table)s k
                 WHERE k.partner_id = %(partner_ids)s
                   AND k.company_id = %(company_id)s) AS r,
               (SELECT SUM(o.amount) AS orders_uninvoiced
                  FROM %(order_table)s o
                 WHERE o.partner_id = %(partner_ids)s
                   AND o.company_id = %(company_id)s) AS o
        """,
        cid=commercial_id,
        aggregates=_entry_aggregates(today, cutoff),
        partner_ids=partner_ids,
        entry_table=SQL.identifier(ENTRY_TABLE),
        order_table=SQL.identifier(ORDER_TABLE),
        company_id=company_id,
    )


def tolerance_cutoff(today, tolerance_days):
    """First due date that is *not* overdue beyond a tolerance of ``tolerance_days``.

    An item is overdue when its due date is before ``today``; it is overdue beyond the
    tolerance when its due date is before ``today - tolerance_days``, that is when it
    is more than ``tolerance_days`` days overdue. The exposure, the "Overdue" search,
    the status and the credit check all use this one cut-off.
    """
    return today - timedelta(days=max(tolerance_days or 0, 0))


def empty_exposure():
    """Exposure components of a partner with nothing open."""
    values = dict.fromkeys(EXPOSURE_COMPONENTS, 0.0)
    values["credit_overdue_days_max"] = 0
    values["credit_overdue_beyond_tolerance"] = 0.0
    return values


def exposure_from_row(row):
    """Map a row of :func:`exposure_sql` to field values (without partner id)."""
    _pid, not_due, overdue, days, unapplied, drafts, orders, beyond = row
    return {
        "credit_overdue_beyond_tolerance": float(beyond),
        "credit_receivable_not_due": float(not_due),
        "credit_overdue": float(overdue),
        "credit_overdue_days_max": int(days or 0),
        "credit_unapplied": float(unapplied),
        "credit_draft_invoices": float(drafts),
        "credit_orders_uninvoiced": float(orders),
    }


def total_exposure(values):
    """Sum of the exposure components."""
    return sum(values[name] for name in EXPOSURE_COMPONENTS)


def available_credit(limit, exposure):
    """Credit left under the limit; negative when over it. No limit → 0."""
    return (limit or 0.0) - exposure if limit else 0.0


def utilisation_percent(limit, exposure):
    """Exposure as a percentage of the limit (0 when there is no limit)."""
    if not limit or limit <= 0:
        return 0.0
    return round(100.0 * exposure / limit, 2)
