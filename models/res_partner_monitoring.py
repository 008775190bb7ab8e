from odoo import api, fields, models
from odoo.exceptions import AccessError

from .res_partner import CREDIT_GROUPS

# Monitoring fields only the scheduled run or a credit manager may change.
MONITORING_MANAGED_FIELDS = ("credit_hold_auto", "credit_warning")


class ResPartner(models.Model):
    _inherit = "res.partner"

    credit_hold_auto = fields.Boolean(
        "Hold Set Automatically",
        company_dependent=True,
        copy=False,
        tracking=True,
        groups=CREDIT_GROUPS,
        help="The overdue escalation set this hold; it releases it once the overdue debt "
        "is cleared. Holds set by hand are never released automatically.",
    )
    credit_warning = fields.Boolean(
        "Credit Warning",
        company_dependent=True,
        copy=False,
        tracking=True,
        groups=CREDIT_GROUPS,
        help="Set by the overdue escalation; cleared automatically once no invoice is "
        "overdue beyond the warning level.",
    )
    credit_on_watchlist = fields.Boolean(
        "On Watchlist",
        compute="_compute_credit_watch",
        search="_search_credit_on_watchlist",
        groups=CREDIT_GROUPS,
    )
    credit_watch_reasons = fields.Char(
        "Watchlist Reasons", compute="_compute_credit_watch", groups=CREDIT_GROUPS
    )
    credit_collection_case_count = fields.Integer(
        "Collection Cases", compute="_compute_credit_collection_case_count", groups=CREDIT_GROUPS
    )

    @api.depends_context("company")
    def _compute_credit_watch(self):
        rows = self.env["customer.credit.watchlist"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
                ("on_watchlist", "=", True),
            ]
        )
        by_partner = {row.partner_id.id: row for row in rows}
        for partner in self:
            row = by_partner.get(partner.commercial_partner_id.id)
            partner.credit_on_watchlist = bool(row)
            partner.credit_watch_reasons = row.reasons if row else False

    def _search_credit_on_watchlist(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Unsupported search on 'On Watchlist'."))
        watched = self.env["customer.credit.watchlist"]._search(
            [("company_id", "=", self.env.company.id), ("on_watchlist", "=", True)]
        )
        positive = (operator == "=") == value
        return [
            ("commercial_partner_id", "in" if positive else "not in", watched.subselect("partner_id"))
        ]

    @api.depends_context("company")
    def _compute_credit_collection_case_count(self):
        counts = dict(
            self.env["customer.credit.collection.case"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids), ("is_closed", "=", False)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.credit_collection_case_count = counts.get(partner.commercial_partner_id, 0)

    @api.model
    def _commercial_fields(self):
        return super()._commercial_fields() + list(MONITORING_MANAGED_FIELDS)

    def write(self, vals):
        if any(name in vals for name in MONITORING_MANAGED_FIELDS) and not (
            self.env.su or self.env.user.has_group("customer_credit.group_credit_manager")
        ):
            raise AccessError(
                self.env._(
                    "Only a credit manager can change the credit warning or the automatic "
                    "hold of a customer. Ask your credit manager."
                )
            )
        if "credit_hold" in vals and "credit_hold_auto" not in vals:
            # A hold set or lifted by hand is a manual decision: the run must not undo it.
            vals = dict(vals, credit_hold_auto=False)
        return super().write(vals)

    def action_view_credit_collection_cases(self):
        """Open the collection cases of the customer."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_credit.customer_credit_collection_case_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def _credit_overdue_invoices(self):
        """Overdue open customer invoices of the customer in the current company, oldest
        first (used by the reminder emails)."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        return self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("company_id", "=", self.env.company.id),
                ("move_type", "in", ("out_invoice", "out_receipt")),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", today),
            ],
            order="invoice_date_due, id",
        )
