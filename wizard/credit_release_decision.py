from odoo import fields
from odoo import models


class CustomerCreditReleaseDecision(models.TransientModel):
    """Approve or refuse a release, always with a comment."""

    _name = "customer.credit.release.decision"
    _description = "Decide on a Credit Release"

    release_id = fields.Many2one("customer.credit.release", required=True, readonly=True)
    decision = fields.Selection(
        [("approve", "Approve"), ("refuse", "Refuse")], required=True, default="approve"
    )
    order_id = fields.Many2one(related="release_id.order_id")
    move_id = fields.Many2one(related="release_id.move_id")
    amount_total = fields.Monetary(related="release_id.amount_total")
    currency_id = fields.Many2one(related="release_id.currency_id")
    reason_lines = fields.Text(related="release_id.reason_lines")
    request_comment = fields.Text(related="release_id.request_comment")
    comment = fields.Text()

    def action_confirm_decision(self):
        self.ensure_one()
        if self.decision == "approve":
            self.release_id.action_approve(self.comment)
        else:
            self.release_id.action_refuse(self.comment)
        return {"type": "ir.actions.act_window_close"}
