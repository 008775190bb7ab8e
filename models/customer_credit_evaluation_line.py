from odoo import fields
from odoo import models

from .customer_credit_scorecard_criterion import CRITERION_FAMILIES


class CustomerCreditEvaluationLine(models.Model):
    _name = "customer.credit.evaluation.line"
    _description = "Credit Evaluation Explanation Line"
    _order = "evaluation_id, sequence, id"

    evaluation_id = fields.Many2one(
        "customer.credit.evaluation", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="evaluation_id.company_id", store=True, index=True)
    criterion_id = fields.Many2one("customer.credit.scorecard.criterion", ondelete="set null")
    sequence = fields.Integer()
    name = fields.Char("Criterion Name", required=True)
    family = fields.Selection(CRITERION_FAMILIES)
    value = fields.Float("Numeric Value", digits=(16, 2))
    value_display = fields.Char("Value")
    points = fields.Float(digits=(16, 2), help="0 to 100, from the criterion's thresholds.")
    weight = fields.Float("Weight (%)", digits=(16, 2))
    contribution = fields.Float(
        digits=(16, 2), help="Points of this criterion in the score (the lines add up to it)."
    )
    missing = fields.Boolean()
    mandatory = fields.Boolean()
