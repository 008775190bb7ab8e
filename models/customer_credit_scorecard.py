from contextlib import contextmanager

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from ..tools.scorecard_math import weights_add_up

# Counter in the cursor's cache (no RPC caller reaches it): criteria are being written
# through their scorecard, whose own constraint checks the weights once at the end.
SCORECARD_WRITING_KEY = "customer_credit.scorecard_writing"


@contextmanager
def scorecard_writing(env):
    cache = env.cr.cache
    cache[SCORECARD_WRITING_KEY] = cache.get(SCORECARD_WRITING_KEY, 0) + 1
    try:
        yield
    finally:
        cache[SCORECARD_WRITING_KEY] -= 1


def scorecard_is_writing(env):
    return bool(env.cr.cache.get(SCORECARD_WRITING_KEY))


class CustomerCreditScorecard(models.Model):
    _name = "customer.credit.scorecard"
    _description = "Credit Scorecard"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to use the scorecard in every company."
    )
    criterion_ids = fields.One2many(
        "customer.credit.scorecard.criterion", "scorecard_id", "Criteria", copy=True
    )
    total_weight = fields.Float(compute="_compute_total_weight")
    description = fields.Text(translate=True)

    @api.depends("criterion_ids.weight")
    def _compute_total_weight(self):
        for scorecard in self:
            scorecard.total_weight = sum(scorecard.criterion_ids.mapped("weight"))

    @api.model
    def _load_records(self, data_list, update=False):
        # Shipped criteria are loaded one by one: check the weights when users edit.
        return super(
            CustomerCreditScorecard, self.with_context(credit_scorecard_loading=True)
        )._load_records(data_list, update=update)

    @api.model_create_multi
    def create(self, vals_list):
        # Criteria created with their scorecard: check the weights once, on the whole card.
        with scorecard_writing(self.env):
            return super().create(vals_list)

    def write(self, vals):
        with scorecard_writing(self.env):
            return super().write(vals)

    @api.constrains("criterion_ids", "active")
    def _check_weights(self):
        if self.env.su and self.env.context.get("credit_scorecard_loading"):
            return
        for scorecard in self.filtered("active"):
            weights = scorecard.criterion_ids.mapped("weight")
            if weights and not weights_add_up(weights):
                raise ValidationError(
                    self.env._(
                        "The weights of the criteria of scorecard %(name)s add up to "
                        "%(total)s; they must add up to 100. Adjust the weights so that "
                        "each one is the share of the score it decides.",
                        name=scorecard.name,
                        total=round(sum(weights), 2),
                    )
                )

    @api.model
    def _default_for_company(self, company):
        """Scorecard used by new evaluations of ``company``."""
        return self.search(
            [("company_id", "in", [company.id, False]), ("criterion_ids", "!=", False)],
            order="company_id, sequence, id",
            limit=1,
        )
