from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class CustomerCreditInvoiceFollowUp(models.TransientModel):
    """Asks what a dispute or an expected payment date needs before the invoice's action
    (which checks who acts) applies it."""

    _name = "customer.credit.invoice.follow.up"
    _description = "Invoice Dispute / Expected Payment"

    mode = fields.Selection(
        [("dispute", "Put in Dispute"), ("expected", "Set Expected Payment Date")],
        required=True,
        default="dispute",
    )
    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    reason = fields.Text(help="What the customer disputes, as they said it.")
    expected_payment_date = fields.Date(help="Leave empty to clear the expected date.")
    note = fields.Char(help="Where the date comes from (a call, an email ...).")

    def action_confirm(self):
        self.ensure_one()
        moves = self.move_ids
        if self.mode == "dispute":
            if not (self.reason or "").strip():
                raise UserError(
                    self.env._("Enter the reason of the dispute, as the customer gave it.")
                )
            moves._credit_dispute_open(self.reason)
        else:
            moves._credit_check_follow_up_user(self.env._("set an expected payment date"))
            moves._credit_set_expected_payment(self.expected_payment_date, note=self.note)
        return {"type": "ir.actions.act_window_close"}
