"""What customers owed at each month end, and the month's sales: the history behind the
dashboard's monthly charts and DSO trend, frozen by a daily cron so that the dashboard
reads 12 rows instead of aging a 1M-line ledger 12 times."""

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..tools.aging_sql import debt_history_sql
from ..tools.credit_exposure import exposure_index_sql
from ..tools.dashboard_math import month_end_dates
from ..tools.dashboard_math import month_start
from ..tools.sql_settings import whole_ledger_statement

# The month's sales read by the dashboard on every call (this month so far): posted
# customer invoices and credit notes only, by company and date, the amount included so
# that the index alone answers (a month of a 1M-line ledger: 700 ms from the table).
# The predicate repeats the WHERE clause of ``_sales_by_month`` word for word.
SALES_INDEX = (
    "account_move_credit_sales_idx",
    "account_move",
    "(company_id, invoice_date) INCLUDE (amount_total_signed)",
    "state = 'posted' AND move_type IN ('out_invoice', 'out_refund')",
)
# Month ends kept (the dashboard shows 11 of them, plus today; DSO looks 2 months back).
SNAPSHOT_MONTHS = 14


class CustomerCreditReceivableSnapshot(models.Model):
    _name = "customer.credit.receivable.snapshot"
    _description = "Receivables at a Month End"
    _order = "company_id, date"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date("Month End", required=True, readonly=True)
    amount_owed = fields.Monetary(
        "Owed", readonly=True, help="Open customer debts as of the month end."
    )
    amount_overdue = fields.Monetary(
        "Overdue", readonly=True, help="The part of the debts past due at the month end."
    )
    amount_sales = fields.Monetary(
        "Sales of the Month", readonly=True, help="Posted customer invoices less credit notes."
    )

    _sql_constraints = [
        (
            "company_date_uniq",
            "unique(company_id, date)",
            "One snapshot per company and month end.",
        ),
    ]

    def init(self):
        result = super().init()
        self.env.cr.execute(exposure_index_sql(*SALES_INDEX))
        return result

    @api.model
    def _month_figures(self, company, dates):
        """{date: (owed, overdue, sales)} of ``company`` computed from the ledger now (one
        aging pass for all the dates, one query for the sales); writes nothing."""
        if not dates:
            return {}
        self.env.flush_all()
        whole_ledger_statement(self.env.cr)
        [row] = self.env.execute_query(debt_history_sql([company.id], dates))
        sales = self._sales_by_month(company, month_start(dates[0]), dates[-1])
        return {
            day: (
                float(row[2 * index]),
                float(row[2 * index + 1]),
                sales.get(month_start(day), 0.0),
            )
            for index, day in enumerate(dates)
        }

    @api.model
    def _sales_by_month(self, company, date_from, date_to):
        """{first day of the month: invoiced sales less credit notes} of ``company``,
        posted, invoice date from ``date_from`` to ``date_to``, in company currency."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT date_trunc('month', am.invoice_date)::date, SUM(am.amount_total_signed)
                  FROM account_move am
                 WHERE am.state = 'posted' AND am.move_type IN ('out_invoice', 'out_refund')
                   AND am.company_id = %s
                   AND am.invoice_date BETWEEN %s AND %s
                 GROUP BY 1
                """,
                company.id,
                date_from,
                date_to,
            )
        )
        return {month: float(amount or 0.0) for month, amount in rows}

    @api.model
    def _history(self, company, dates):
        """{date: (owed, overdue, sales)} of the month ends ``dates`` of ``company``: the
        snapshots, and the ones not taken yet computed now (without writing). Company
        figures: the caller checks the user may see them (the dashboard: credit managers
        of ``company``)."""
        stored = self.sudo().search([("company_id", "=", company.id), ("date", "in", dates)])
        result = {
            snapshot.date: (snapshot.amount_owed, snapshot.amount_overdue, snapshot.amount_sales)
            for snapshot in stored
        }
        missing = [day for day in dates if day not in result]
        result.update(self._month_figures(company, missing))
        return result

    @api.model
    def _cron_snapshot_month_ends(self):
        """Take the snapshots of the last month ends not taken yet, company by company,
        one aging pass per company; commit per company."""
        today = fields.Date.context_today(self)
        dates = month_end_dates(today, SNAPSHOT_MONTHS + 1)[:-1]
        companies = self.env["res.company"].search([])
        for done, company in enumerate(companies, start=1):
            taken = set(
                self.search([("company_id", "=", company.id), ("date", "in", dates)]).mapped("date")
            )
            missing = [day for day in dates if day not in taken]
            figures = self._month_figures(company, missing)
            self.create(
                [
                    {
                        "company_id": company.id,
                        "date": day,
                        "amount_owed": owed,
                        "amount_overdue": overdue,
                        "amount_sales": sales,
                    }
                    for day, (owed, overdue, sales) in figures.items()
                ]
            )
            self.env["customer.credit.monitor"]._commit_batch(done, len(companies) - done)
