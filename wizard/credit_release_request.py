from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class CustomerCreditReleaseRequest(models.TransientModel):
    """Shown when the credit check stops a quotation or the posting of a customer invoice:
    the reasons in plain words and a comment to ask a credit manager for a release."""

    _name = "customer.credit.release.request"
    _description = "Request a Credit Release"

    order_id = fields.Many2one("sale.order", readonly=True)
    move_id = fields.Many2one("account.move", "Invoice", readonly=True)
    blocked = fields.Boolean(readonly=True)
    reasons_html = fields.Html("Reasons", compute="_compute_reasons", sanitize=False)
    reason_lines = fields.Text(compute="_compute_reasons")
    reason_codes = fields.Char(compute="_compute_reasons")
    pending_release_id = fields.Many2one("customer.credit.release", compute="_compute_reasons")
    comment = fields.Text(
        help="Why should this order be confirmed? The credit manager decides on it."
    )

    @api.depends("order_id", "move_id")
    def _compute_reasons(self):
        for wizard in self:
            move, order = wizard.move_id, wizard.order_id
            if move:
                verdict = move._credit_evaluate_posting().get(move)
                lines = move._credit_reason_lines(verdict) if verdict else []
                wizard.reason_lines = "\n".join(lines)
                wizard.reason_codes = ",".join(r.code for r in verdict.reasons) if verdict else ""
                wizard.reasons_html = (
                    Markup("<ul class='o_credit_reasons'>%s</ul>")
                    % Markup("").join(Markup("<li>%s</li>") % line for line in lines)
                    if lines
                    else False
                )
                wizard.pending_release_id = move.sudo().credit_release_ids.filtered(
                    lambda r: r.state == "pending"
                )[:1]
                continue
            verdict = order._credit_evaluate(raise_missing_rate=False)[order] if order else None
            lines = order._credit_reason_lines(verdict) if verdict else []
            wizard.reason_lines = "\n".join(lines)
            wizard.reason_codes = ",".join(r.code for r in verdict.reasons) if verdict else ""
            wizard.reasons_html = (
                Markup("<ul class='o_credit_reasons'>%s</ul>")
                % Markup("").join(Markup("<li>%s</li>") % line for line in lines)
                if lines
                else False
            )
            wizard.pending_release_id = order.sudo().credit_release_ids.filtered(
                lambda r: r.state == "pending"
            )[:1]

    def action_request(self):
        """Create the release request and notify the credit managers."""
        self.ensure_one()
        name = self.move_id.display_name if self.move_id else self.order_id.name
        if not (self.comment or "").strip():
            raise UserError(
                self.env._(
                    "Explain why %(order)s should be confirmed despite the credit check: "
                    "the credit manager decides on your comment.",
                    order=name,
                )
            )
        if not self.reason_codes:
            if self.move_id:
                message = self.env._(
                    "%(invoice)s passes the credit check now: post it, no release is needed.",
                    invoice=name,
                )
            else:
                message = self.env._(
                    "%(order)s passes the credit check now: confirm it, no release is needed.",
                    order=name,
                )
            raise UserError(message)
        document = {"move_id": self.move_id.id} if self.move_id else {"order_id": self.order_id.id}
        self.env["customer.credit.release"].create(
            dict(document, request_comment=self.comment.strip())
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Credit release requested for %(order)s: the credit manager has an "
                    "activity to decide.",
                    order=name,
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
