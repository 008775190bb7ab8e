from odoo import fields
from odoo import models
from odoo.exceptions import AccessError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    credit_control_enabled = fields.Boolean(
        related="company_id.credit_control_enabled", readonly=False
    )
    credit_check_invoices = fields.Boolean(
        related="company_id.credit_check_invoices", readonly=False
    )
    credit_group_hold_all = fields.Boolean(
        related="company_id.credit_group_hold_all", readonly=False
    )
    credit_policy_default = fields.Selection(
        related="company_id.credit_policy_default", readonly=False
    )
    credit_overdue_tolerance_days = fields.Integer(
        related="company_id.credit_overdue_tolerance_days", readonly=False
    )
    credit_deputy_approver_id = fields.Many2one(
        related="company_id.credit_deputy_approver_id", readonly=False
    )
    credit_limit_director_threshold = fields.Monetary(
        related="company_id.credit_limit_director_threshold",
        currency_field="currency_id",
        readonly=False,
    )

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
    credit_watch_digest_size = fields.Integer(
        related="company_id.credit_watch_digest_size", readonly=False
    )
    credit_notice_days = fields.Integer(related="company_id.credit_notice_days", readonly=False)
    credit_portal_page = fields.Boolean(related="company_id.credit_portal_page", readonly=False)

    credit_oca_risk_installed = fields.Boolean(
        "OCA Credit Risk Installed", compute="_compute_credit_oca_risk_installed"
    )

    def _compute_credit_oca_risk_installed(self):
        self.credit_oca_risk_installed = self.env["res.partner"]._credit_oca_risk_installed()

    def action_credit_import_oca_risk(self):
        """Copy the OCA credit risk settings of customers into their credit profiles."""
        if not self.env.user.has_group("customer_credit.group_credit_manager"):
            raise AccessError(self.env._("Only a credit manager can import credit settings."))
        count = self.env["res.partner"]._credit_import_oca_risk()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s customers updated from OCA credit risk.", count=count
                ),
            },
        }
