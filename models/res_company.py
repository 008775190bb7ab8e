from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError

from .customer_credit_grade import CREDIT_POLICIES

# Company settings that widen or narrow what blocks: settings administrators only.
CONTROL_SETTINGS = {"credit_check_invoices", "credit_group_hold_all"}


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_control_enabled = fields.Boolean(
        "Credit Control",
        default=True,
        help="Check customer credit on sales orders of this company.",
    )
    credit_check_invoices = fields.Boolean(
        "Check Customer Invoices at Posting",
        default=False,
        help="Check a customer invoice at posting like a quotation when it does not come "
        "from a confirmed sales order, or raises the amount beyond its orders.",
    )
    credit_group_hold_all = fields.Boolean(
        "Automatic Hold Holds the Credit Group",
        default=False,
        help="When the overdue escalation puts a member of a credit group on hold, every "
        "member of the group is blocked too until that hold is released.",
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

    credit_watch_utilisation_pct = fields.Float(
        "Watch: Credit Used (%)",
        default=80.0,
        help="Customers using at least this share of their limit go on the watchlist.",
    )
    credit_watch_overdue_ratio_pct = fields.Float(
        "Watch: Overdue Ratio (%)",
        default=30.0,
        help="Customers with at least this share of their open receivable overdue go on "
        "the watchlist.",
    )
    credit_watch_dso_increase_days = fields.Integer(
        "Watch: DSO Increase (days)",
        default=15,
        help="Customers whose days sales outstanding grew by at least this many days over "
        "90 days go on the watchlist.",
    )
    credit_watch_score_drop = fields.Float(
        "Watch: Score Drop",
        default=10.0,
        help="Customers whose credit score dropped by at least this many points since the "
        "previous evaluation go on the watchlist.",
    )
    credit_watch_digest_size = fields.Integer(
        "Watch: Customers per Digest",
        default=20,
        help="The daily watchlist digest lists this many customers, the most severe first, "
        "and says how many more are on the watchlist (0: all of them).",
    )
    credit_notice_days = fields.Integer(
        "Notice Period (days)",
        default=14,
        help="Credit reviews, temporary limits and agreements coming due within this many "
        "days create an activity for the credit manager.",
    )
    credit_portal_page = fields.Boolean(
        "Show the Credit Page in the Portal",
        help="Customers' portal users see their credit limit, what is used and available, "
        "their open invoices, their statement and their agreements at /my/credit. A "
        "customer can be left out on its form.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if any(CONTROL_SETTINGS & set(vals) for vals in vals_list):
            self._credit_check_settings_admin()
        companies = super().create(vals_list)
        self.env["customer.credit.escalation.level"]._create_default_levels(companies)
        return companies

    def write(self, vals):
        if CONTROL_SETTINGS & set(vals):
            self._credit_check_settings_admin()
        return super().write(vals)

    def _credit_check_settings_admin(self):
        # The invoice check is a control of the accounting: only settings
        # administrators switch it (an Access Rights manager may write companies).
        if not self.env.su and not self.env.user.has_group("base.group_system"):
            raise AccessError(
                self.env._(
                    "Only a settings administrator can switch the credit check of "
                    "customer invoices or the group-wide automatic hold."
                )
            )
