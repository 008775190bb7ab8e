"""Payment history metrics of customers, from posted invoices, in one SQL query per batch.

Per (key, commercial partner, company, as-of date):
- invoices due in the 12 months before the as-of date (not reversed):
  on-time ratio (% paid in full on or before the due date), average and maximum days late
  (paid late: payment date - due date; still open: as-of date - due date);
- tenure: months since the first posted invoice; number of posted invoices;
- average monthly sales: invoices minus credit notes of the last 12 months / 12.
"""

from odoo.tools import SQL

HISTORY_KEYS = (
    "invoice_count",
    "first_invoice_date",
    "due_12m_count",
    "on_time_12m_count",
    "average_days_late",
    "max_days_overdue",
    "sales_12m",
)


def history_sql(requests):
    """SQL returning one row per request ``(key, partner_id, company_id, as_of)``:
    key followed by the ``HISTORY_KEYS`` values."""
    values = SQL(", ").join(
        SQL("(%s, %s, %s, %s::date)", key, partner_id, company_id, as_of)
        for key, partner_id, company_id, as_of in requests
    )
    return SQL(
        """
        WITH req(key, partner_id, company_id, as_of) AS (VALUES %(values)s),
        inv AS (
            SELECT req.key, req.as_of, am.move_type, am.invoice_date, am.invoice_date_due AS due,
                   am.amount_total_signed, am.amount_residual, am.payment_state,
                   (SELECT MAX(apr.max_date)
                      FROM account_move_line aml
                      JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                     WHERE aml.move_id = am.id AND aml.display_type = 'payment_term'
                   ) AS paid_date
              FROM req
              JOIN account_move am
                ON am.commercial_partner_id = req.partner_id
               AND am.company_id = req.company_id
               AND am.state = 'posted'
               AND am.move_type IN ('out_invoice', 'out_refund')
               AND am.invoice_date <= req.as_of
        ),
        late AS (
            SELECT inv.*,
                   inv.move_type = 'out_invoice' AND inv.payment_state != 'reversed'
                   AND inv.due > inv.as_of - 365 AND inv.due <= inv.as_of AS due_12m,
                   GREATEST(0, CASE WHEN inv.amount_residual = 0 AND inv.paid_date IS NOT NULL
                                    THEN LEAST(inv.paid_date, inv.as_of) - inv.due
                                    ELSE inv.as_of - inv.due END) AS days_late
              FROM inv
        )
        SELECT req.key,
               COUNT(late.due) FILTER (WHERE late.move_type = 'out_invoice'),
               MIN(late.invoice_date) FILTER (WHERE late.move_type = 'out_invoice'),
               COUNT(*) FILTER (WHERE late.due_12m),
               COUNT(*) FILTER (WHERE late.due_12m AND late.days_late = 0
                                  AND late.amount_residual = 0),
               AVG(late.days_late) FILTER (WHERE late.due_12m),
               MAX(late.days_late) FILTER (WHERE late.due_12m),
               COALESCE(SUM(late.amount_total_signed)
                        FILTER (WHERE late.invoice_date > late.as_of - 365), 0)
          FROM req
          LEFT JOIN late ON late.key = req.key
         GROUP BY req.key
        """,
        values=values,
    )


def history_from_row(row, as_of):
    """Metrics dict from a ``history_sql`` row; a metric without data is None."""
    data = dict(zip(HISTORY_KEYS, row[1:], strict=True))
    first = data["first_invoice_date"]
    due_count = data["due_12m_count"] or 0
    return {
        "invoice_count": data["invoice_count"] or 0,
        "tenure_months": months_between(first, as_of) if first else None,
        "on_time_payment_ratio": (
            round(data["on_time_12m_count"] * 100.0 / due_count, 2) if due_count else None
        ),
        "average_days_late": (round(float(data["average_days_late"]), 2) if due_count else None),
        "max_days_overdue": int(data["max_days_overdue"]) if due_count else None,
        "average_monthly_sales": round(float(data["sales_12m"] or 0.0) / 12.0, 2),
    }


def months_between(start, end):
    """Whole months from ``start`` to ``end`` (0 when end is before start)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)
