from odoo import fields
from odoo import models


class CustomerCreditEscalationLog(models.Model):
    """One row per invoice and level applied: the unique key makes every level fire
    once per invoice, and makes an interrupted run resume without duplicates."""

    _name = "customer.credit.escalation.log"
    _description = "Applied Overdue Escalation"
    _order = "date desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, readonly=True, ondelete="cascade"
    )
    move_id = fields.Many2one(
        "account.move",
        "Invoice",
        required=True,
        readonly=True,
        ondelete="cascade",
        check_company=True,
    )
    level_id = fields.Many2one(
        "customer.credit.escalation.level",
        required=True,
        index=True,
        readonly=True,
        ondelete="cascade",
        check_company=True,
    )
    date = fields.Date(required=True, readonly=True, index=True)
    days_overdue = fields.Integer(readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_residual = fields.Monetary("Amount Due", readonly=True)
    skipped = fields.Boolean(
        readonly=True,
        help="A higher level was reached the same day: this level's email and activities "
        "were not sent, its status actions (warning, hold, case) were.",
    )
    email_sent = fields.Boolean(readonly=True)
    activity_salesperson = fields.Boolean("Salesperson Activity", readonly=True)
    activity_manager = fields.Boolean("Credit Manager Activity", readonly=True)
    warning_set = fields.Boolean(readonly=True)
    hold_set = fields.Boolean(readonly=True)
    case_id = fields.Many2one("customer.credit.collection.case", "Collection Case", readonly=True)
    letter_id = fields.Many2one(
        "customer.credit.letter", "Letter to Print", readonly=True, ondelete="set null"
    )
    result = fields.Char(readonly=True, help="What the run did for this customer.")

    _sql_constraints = [
        (
            "move_level_uniq",
            "UNIQUE(move_id, level_id)",
            "An escalation level applies once per invoice.",
        ),
    ]
