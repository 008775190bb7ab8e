from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from .customer_credit_grade import CREDIT_POLICIES


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_control_enabled = fields.Boolean(
        "Credit Control",
        default=True,
        help="Check customer credit on sales orders of this company.",
    )
    credit_policy_default = fields.Selection(
        CREDIT_POLICIES,
        "Default Credit Policy",
        default="warn",
        required=True,
        help="Policy of customers that have none of their own.",
    )
    credit_overdue_tolerance_days = fields.Integer(
        "Overdue Tolerance (days)",
        default=0,
        help="Overdue debt younger than this many days does not count against the customer.",
    )

    @api.constrains("credit_overdue_tolerance_days")
    def _check_credit_overdue_tolerance_days(self):
        for company in self:
            if company.credit_overdue_tolerance_days < 0:
                raise ValidationError(
                    self.env._(
                        "The overdue tolerance of %(company)s cannot be negative: "
                        "enter 0 to block from the first day overdue.",
                        company=company.name,
                    )
                )

    credit_limit_director_threshold = fields.Monetary(
        "Director Approval Above",
        currency_field="currency_id",
        default=100000.0,
        help="Credit limit requests above this amount also need a credit director's "
        "approval. 0: a credit manager's approval is always enough.",
    )
    credit_deputy_approver_id = fields.Many2one(
        "res.users",
        "Deputy Credit Approver",
        domain="[('share', '=', False)]",
        help="Stands in for a credit manager on a decision that the only credit manager "
        "requested or prepared (four eyes). Without a deputy, such a decision waits for "
        "a second credit manager.",
    )
