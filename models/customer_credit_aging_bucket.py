from odoo import fields
from odoo import models


class CustomerCreditAgingBucket(models.TransientModel):
    """One column of an aging run (its days range), so that pivots sort by age."""

    _name = "customer.credit.aging.bucket"
    _description = "Receivable Aging Bucket"
    _order = "report_id, sequence"

    report_id = fields.Many2one(
        "customer.credit.aging.report", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(required=True, help="Column number, 0 for the leading bucket.")
    name = fields.Char("Bucket", required=True)
    days_from = fields.Integer("From (days)", help="Empty: no lower bound.")
    days_to = fields.Integer("To (days)", help="Empty: no upper bound.")
    has_days_from = fields.Boolean()
    has_days_to = fields.Boolean()
