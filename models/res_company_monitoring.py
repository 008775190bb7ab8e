from odoo import api
from odoo import fields
from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

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
    credit_notice_days = fields.Integer(
        "Notice Period (days)",
        default=14,
        help="Credit reviews, temporary limits and agreements coming due within this many "
        "days create an activity for the credit manager.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["customer.credit.escalation.level"]._create_default_levels(companies)
        return companies


class ResConfigSettingsMonitoring(models.TransientModel):
    _inherit = "res.config.settings"

    credit_watch_utilisation_pct = fields.Float(
        related="company_id.credit_watch_utilisation_pct", readonly=False
    )
    credit_watch_overdue_ratio_pct = fields.Float(
        related="company_id.credit_watch_overdue_ratio_pct", readonly=False
    )
    credit_watch_dso_increase_days = fields.Integer(
        related="company_id.credit_watch_dso_increase_days", readonly=False
    )
    credit_watch_score_drop = fields.Float(
        related="company_id.credit_watch_score_drop", readonly=False
    )
    credit_notice_days = fields.Integer(related="company_id.credit_notice_days", readonly=False)
