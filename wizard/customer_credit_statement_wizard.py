"""Send (or print) customer statements for a period, from the partner form or the
customer list."""

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..tools.statement import previous_month

# Up to this many customers the statements are sent at once; more go to the queue.
SEND_NOW_MAX = 10


class CustomerCreditStatementWizard(models.TransientModel):
    _name = "customer.credit.statement.wizard"
    _description = "Send Customer Statements"

    partner_ids = fields.Many2many(
        "res.partner",
        "customer_credit_statement_wizard_partner_rel",
        "wizard_id",
        "partner_id",
        "Customers",
        required=True,
    )
    date_from = fields.Date("From", required=True, default=lambda self: self._default_period()[0])
    date_to = fields.Date("To", required=True, default=lambda self: self._default_period()[1])
    partner_count = fields.Integer("Customer Count", compute="_compute_partner_count")

    @api.model
    def _default_period(self):
        return previous_month(fields.Date.context_today(self))

    @api.depends("partner_ids")
    def _compute_partner_count(self):
        for wizard in self:
            wizard.partner_count = len(wizard.partner_ids.commercial_partner_id)

    def _check_period(self):
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(
                self.env._("The statement period ends before it starts: swap the two dates.")
            )

    def action_send(self):
        """Email each customer its statement (PDF attached, logged in its chatter):
        at once for a few customers, through the sending queue for more."""
        self._check_period()
        partners = self.partner_ids.commercial_partner_id
        Send = self.env["customer.credit.statement.send"]
        send_now = len(partners) <= SEND_NOW_MAX
        rows = Send._enqueue(partners, self.date_from, self.date_to, trigger=not send_now)
        if send_now:
            rows._send()
            failed = rows.filtered(lambda row: row.state == "failed")
            if failed:
                raise UserError(
                    "\n".join(f"{row.partner_id.display_name}: {row.error}" for row in failed)
                )
            message = self.env._("%(count)s statement(s) sent.", count=len(rows))
        else:
            message = self.env._(
                "%(count)s statements are being sent in the background; each one appears "
                "in its customer's chatter once sent.",
                count=len(rows),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_download_xlsx(self):
        """The statement of the (one) customer as XLSX."""
        self._check_period()
        partners = self.partner_ids.commercial_partner_id
        if len(partners) != 1:
            raise UserError(self.env._("Choose one customer to download its statement as XLSX."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/customer_credit/statement/{partners.id}/xlsx?date_from="
            f"{fields.Date.to_string(self.date_from)}&date_to={fields.Date.to_string(self.date_to)}",
            "target": "download",
        }

    def action_print(self):
        """The statements as one PDF, for the period."""
        self._check_period()
        return self.env.ref("customer_credit.action_report_customer_statement").report_action(
            self.partner_ids.commercial_partner_id,
            data={
                "date_from": fields.Date.to_string(self.date_from),
                "date_to": fields.Date.to_string(self.date_to),
            },
        )
