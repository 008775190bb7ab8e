from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..tools.aging_result_table import ensure_result_table
from ..tools.aging_sql import AGING_INDEXES
from ..tools.aging_sql import AGING_OLD_INDEXES
from ..tools.aging_sql import MATCH_FIRST_DATE_DDL
from ..tools.aging_sql import MATCH_FIRST_DATE_DRIFT
from ..tools.aging_sql import MATCH_FIRST_DATE_FILL
from ..tools.aging_sql import aging_index_sql


class CustomerCreditAgingItem(models.TransientModel):
    """One receivable line open at the run's date, with its open amount at that date."""

    _name = "customer.credit.aging.item"
    _description = "Receivable Aging Open Item"
    _order = "id"
    _auto = False  # unlogged table without foreign keys, see aging_result_table
    _log_access = True
    _rec_name = "move_name"

    report_id = fields.Many2one(
        "customer.credit.aging.report", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True, index=True)
    move_line_id = fields.Many2one("account.move.line", "Journal Item", readonly=True)
    move_id = fields.Many2one("account.move", "Document", readonly=True)
    move_name = fields.Char("Number", readonly=True)
    date = fields.Date("Accounting Date", readonly=True)
    invoice_date = fields.Date(readonly=True)
    date_maturity = fields.Date("Due Date", readonly=True)
    reference_date = fields.Date(
        "Aged From", readonly=True, help="Due date or invoice date, as chosen for the report."
    )
    days_overdue = fields.Integer("Days", readonly=True, aggregator="max")
    bucket_id = fields.Many2one("customer.credit.aging.bucket", readonly=True, index=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    grade_id = fields.Many2one("customer.credit.grade", "Credit Grade", readonly=True)
    amount_original = fields.Monetary("Original Amount", readonly=True)
    amount_open = fields.Monetary("Open Amount", readonly=True)
    document_currency_id = fields.Many2one("res.currency", readonly=True)
    amount_currency = fields.Monetary(
        "Original in Document Currency", currency_field="document_currency_id", readonly=True
    )
    credit_dispute = fields.Boolean(
        "In Dispute", readonly=True, help="The invoice is in dispute: the escalation skips it."
    )
    credit_expected_payment_date = fields.Date("Expected Payment Date", readonly=True)

    def init(self):
        ensure_result_table(self)
        cr = self.env.cr
        cr.execute(SQL(MATCH_FIRST_DATE_DDL))
        self._fill_match_first_dates()
        for name in AGING_OLD_INDEXES:
            cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
        for index in AGING_INDEXES:
            cr.execute(aging_index_sql(*index))

    @api.model
    def _fill_match_first_dates(self):
        """Give the partial reconciliations made before the aging kept their first date
        (install, or a bulk load with triggers off) that date; returns how many."""
        self.env["account.move.line"].flush_model(["date"])
        self.env["account.partial.reconcile"].flush_model()
        self.env.cr.execute(SQL(MATCH_FIRST_DATE_FILL))
        return self.env.cr.rowcount

    @api.model
    def _match_first_date_drift(self):
        """The matches whose first date is not the earlier date of their lines:
        [(match id, kept, debit line's date, credit line's date)], empty when the
        triggers kept up (tests, after each one)."""
        self.env["account.move.line"].flush_model(["date"])
        self.env["account.partial.reconcile"].flush_model()
        return self.env.execute_query(SQL(MATCH_FIRST_DATE_DRIFT))

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "views": [(False, "form")],
            "target": "current",
        }

    def action_open_move_lines(self):
        """The journal items behind these figures (their residual today may differ
        from the open amount at a past date shown here)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Journal Items"),
            "res_model": "account.move.line",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", self.move_line_id.ids)],
            "context": {"create": False},
        }
