from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

# Model -> method called with the reason.
DECISIONS = {
    "customer.credit.evaluation": "_action_refuse",
    "customer.credit.limit.request": "_action_refuse",
    "customer.credit.agreement": "_action_terminate",
}


class CustomerCreditRefuseWizard(models.TransientModel):
    _name = "customer.credit.refuse.wizard"
    _description = "Credit Refusal / Termination Reason"

    res_model = fields.Char(required=True, readonly=True)
    res_ids = fields.Json(required=True, readonly=True)
    reason = fields.Text(required=True)

    @api.model
    def _open_for(self, records, title=None):
        """Action asking the reason before refusing (or terminating) ``records``."""
        return {
            "type": "ir.actions.act_window",
            "name": title or self.env._("Refuse"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {"default_res_model": records._name, "default_res_ids": records.ids},
        }

    def action_confirm(self):
        self.ensure_one()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason: the requester will read it."))
        method = DECISIONS.get(self.res_model)
        if not method:
            raise UserError(self.env._("Nothing to refuse here."))
        records = self.env[self.res_model].browse(self.res_ids).exists()
        getattr(records, method)(reason)
        return {"type": "ir.actions.act_window_close"}
