from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class CustomerCreditScorecardThreshold(models.Model):
    _name = "customer.credit.scorecard.threshold"
    _description = "Credit Scorecard Threshold"
    _order = "criterion_id, value_from"

    criterion_id = fields.Many2one(
        "customer.credit.scorecard.criterion", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="criterion_id.company_id", store=True, index=True)
    value_from = fields.Float(
        "From Value",
        required=True,
        digits=(16, 4),
        help="Values from this one (included) up to the next threshold get these points.",
    )
    points = fields.Float(required=True, help="From 0 (worst) to 100 (best).")

    @api.constrains("points")
    def _check_points(self):
        for threshold in self:
            if not 0 <= threshold.points <= 100:
                raise ValidationError(
                    self.env._(
                        "Threshold points must be between 0 and 100 (criterion %(name)s).",
                        name=threshold.criterion_id.name,
                    )
                )
