from odoo import api
from odoo import models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        # A payment matched with invoices of a collection case may settle it.
        moves = (partials.debit_move_id | partials.credit_move_id).move_id
        Case = self.env["customer.credit.collection.case"].sudo()
        case_ids = Case._open_case_ids_for_moves(moves.ids)
        if case_ids:
            # Never block the payment: a case that cannot be closed is logged and left
            # open for the credit manager (the cron follow-up retries it).
            self.env["customer.credit.monitor"].sudo()._run_isolated(
                self.env._("Close paid collection cases"),
                Case.browse(case_ids),
                lambda case: case._close_if_paid(),
            )
        return partials
