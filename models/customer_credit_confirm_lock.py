from odoo import fields
from odoo import models


class CustomerCreditConfirmLock(models.Model):
    """One row per (company, commercial partner), upserted by every credit-checked
    confirmation so that concurrent confirmations conflict (see sale.order._credit_lock)."""

    _name = "customer.credit.confirm.lock"
    _description = "Credit Check Serialisation Row"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    locked_on = fields.Datetime()

    _sql_constraints = [
        (
            "company_partner_uniq",
            "unique(company_id, partner_id)",
            "One lock row per company and customer.",
        ),
    ]
