from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from .customer_credit_scorecard import scorecard_is_writing

CRITERION_FAMILIES = [
    ("financial", "Financial"),
    ("history", "Credit History"),
    ("business", "Business"),
]

# What a criterion measures: one value of the evaluation each, with its family.
CRITERION_CODES = [
    ("current_ratio", "Current Ratio"),
    ("debt_ratio", "Debt Ratio (%)"),
    ("net_margin", "Net Margin (%)"),
    ("ocf_to_current_liabilities", "Operating Cash Flow / Current Liabilities"),
    ("annual_revenue", "Annual Revenue"),
    ("on_time_payment_ratio", "On-Time Payments, 12 Months (%)"),
    ("average_days_late", "Average Days Late, 12 Months"),
    ("max_days_overdue", "Maximum Days Overdue, 12 Months"),
    ("tenure_months", "Customer Since (months)"),
    ("invoice_count", "Number of Invoices"),
    ("bureau_score", "External Bureau Score"),
    ("default_count", "Defaults (external report)"),
    ("legal_case_count", "Legal Cases (external report)"),
    ("industry_risk", "Industry Risk Class (1 low - 5 high)"),
    ("years_in_business", "Years in Business"),
    ("market_position", "Market Position (1 new - 4 leader)"),
    ("business_model", "Business Model (1 project - 3 recurring)"),
]

CODE_FAMILY = {
    "current_ratio": "financial",
    "debt_ratio": "financial",
    "net_margin": "financial",
    "ocf_to_current_liabilities": "financial",
    "annual_revenue": "financial",
    "on_time_payment_ratio": "history",
    "average_days_late": "history",
    "max_days_overdue": "history",
    "tenure_months": "history",
    "invoice_count": "history",
    "bureau_score": "history",
    "default_count": "history",
    "legal_case_count": "history",
    "industry_risk": "business",
    "years_in_business": "business",
    "market_position": "business",
    "business_model": "business",
}


class CustomerCreditScorecardCriterion(models.Model):
    _name = "customer.credit.scorecard.criterion"
    _description = "Credit Scorecard Criterion"
    _order = "scorecard_id, sequence, id"

    scorecard_id = fields.Many2one(
        "customer.credit.scorecard", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="scorecard_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    code = fields.Selection(CRITERION_CODES, "Measures", required=True)
    name = fields.Char(required=True, translate=True)
    family = fields.Selection(
        CRITERION_FAMILIES, compute="_compute_family", store=True, readonly=True
    )
    weight = fields.Float(
        required=True, help="Share of the score (%); the weights of a scorecard add up to 100."
    )
    mandatory = fields.Boolean(
        help="An evaluation cannot be submitted while this criterion has no value."
    )
    threshold_ids = fields.One2many(
        "customer.credit.scorecard.threshold", "criterion_id", "Thresholds", copy=True
    )
    help_text = fields.Text("Explanation", translate=True)

    _sql_constraints = [
        (
            "code_scorecard_uniq",
            "unique(scorecard_id, code)",
            "A scorecard measures each value once.",
        ),
    ]

    @api.depends("code")
    def _compute_family(self):
        for criterion in self:
            criterion.family = CODE_FAMILY.get(criterion.code)

    @api.constrains("weight")
    def _check_weight(self):
        for criterion in self:
            if criterion.weight < 0 or criterion.weight > 100:
                raise ValidationError(
                    self.env._(
                        "The weight of criterion %(name)s must be between 0 and 100.",
                        name=criterion.name,
                    )
                )

    @api.constrains("weight", "scorecard_id")
    def _check_scorecard_weights(self):
        # Edits through the scorecard are checked on the scorecard, once all lines are saved.
        context = self.env.context
        if scorecard_is_writing(self.env) or (
            self.env.su and context.get("credit_scorecard_loading")
        ):
            return
        self.scorecard_id._check_weights()

    @api.model
    def _load_records(self, data_list, update=False):
        return super(
            CustomerCreditScorecardCriterion, self.with_context(credit_scorecard_loading=True)
        )._load_records(data_list, update=update)

    def unlink(self):
        scorecards = self.scorecard_id
        result = super().unlink()
        if not scorecard_is_writing(self.env):
            scorecards.exists()._check_weights()
        return result

    def _thresholds(self):
        self.ensure_one()
        return [(t.value_from, t.points) for t in self.threshold_ids]
