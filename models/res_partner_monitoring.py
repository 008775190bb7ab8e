from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

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
            (
                "commercial_partner_id",
                "in" if positive else "not in",
                watched.subselect("partner_id"),
            )
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

    @api.model
    def _credit_managed_fields(self):
        return super()._credit_managed_fields() + MONITORING_MANAGED_FIELDS

    def write(self, vals):
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
        """Overdue open invoices of the customer in the current company, oldest due
        first (listed in the reminder emails). The escalation run passes them for its
        whole batch in the context, so that rendering costs no query per customer."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        prefetched = dict(self.env.context.get("credit_overdue_move_ids") or ())
        if commercial.id in prefetched:
            # Prefetch the invoices of the whole batch together: one read for all emails.
            batch_ids = [move_id for ids in prefetched.values() for move_id in ids]
            return (
                self.env["account.move"].browse(prefetched[commercial.id]).with_prefetch(batch_ids)
            )
        move_ids = commercial._credit_overdue_move_ids_by_partner().get(commercial.id, [])
        return self.env["account.move"].browse(move_ids)

    def _credit_overdue_move_ids_by_partner(self, today=None):
        """{commercial partner id: [overdue move ids, oldest due first]} in one query
        (moves with open receivable lines past due in the current company)."""
        company = self.env.company
        today = today or fields.Date.context_today(self)
        commercial_ids = list(set(self.commercial_partner_id.ids))
        if not commercial_ids:
            return {}
        self.env["account.move.line"].flush_model(
            ["amount_residual", "reconciled", "parent_state", "partner_id", "date_maturity"]
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT rp.commercial_partner_id, aml.move_id,
                       MIN(COALESCE(aml.date_maturity, aml.date)) AS due
                  FROM res_partner rp
                  JOIN account_move_line aml ON aml.partner_id = rp.id
                 WHERE rp.commercial_partner_id = ANY(%(partners)s)
                   AND aml.account_id IN (SELECT id FROM account_account
                                           WHERE account_type = 'asset_receivable')
                   AND aml.parent_state = 'posted'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.amount_residual > 0
                   AND aml.company_id = %(company)s
                   AND COALESCE(aml.date_maturity, aml.date) < %(today)s
                 GROUP BY rp.commercial_partner_id, aml.move_id
                 ORDER BY rp.commercial_partner_id, due, aml.move_id
                """,
                partners=commercial_ids,
                company=company.id,
                today=today,
            )
        )
        result = {}
        for partner_id, move_id, _due in rows:
            result.setdefault(partner_id, []).append(move_id)
        return result
