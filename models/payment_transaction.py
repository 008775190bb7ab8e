from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        # Online payment: the credit check must not raise at the customer; a blocked
        # order stays a quotation and is not reported as confirmed (no confirmation mail).
        confirmed = super(
            PaymentTransaction, self.with_context(credit_portal=True)
        )._check_amount_and_confirm_order()
        return confirmed.filtered(lambda order: order.state == "sale")
