from odoo import api
from odoo import models

from .account_move import RELEASE_WATCHED_LINE_FIELDS


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # A line written directly (not through its invoice) voids the invoice's releases
    # just the same: the fingerprint of the invoice is compared before and after.

    @api.model_create_multi
    def create(self, vals_list):
        moves = self.env["account.move"].browse(
            {vals["move_id"] for vals in vals_list if vals.get("move_id")}
        )
        snapshot = moves._credit_release_snapshot() if moves else None
        lines = super().create(vals_list)
        if snapshot:
            moves._credit_release_after_change(snapshot)
        return lines

    def write(self, vals):
        snapshot = None
        if any(name in vals for name in RELEASE_WATCHED_LINE_FIELDS):
            moves = self.move_id | self.env["account.move"].browse(vals.get("move_id") or [])
            snapshot = moves._credit_release_snapshot()
        result = super().write(vals)
        if snapshot:
            self.env["account.move"]._credit_release_after_change(snapshot)
        return result

    def unlink(self):
        moves = self.move_id
        snapshot = moves._credit_release_snapshot() if moves else None
        result = super().unlink()
        if snapshot:
            moves._credit_release_after_change(snapshot)
        return result
