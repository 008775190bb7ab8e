import base64

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools.pdf import merge_pdf

# Who prints the letters and mails them: the collectors.
LETTER_GROUPS = ("customer_credit.group_credit_manager", "account.group_account_invoice")
# The statement printed after a letter covers this many days up to the letter's date.
STATEMENT_DAYS = 365


class CustomerCreditLetter(models.Model):
    """A follow-up letter to print, created by the overdue escalation (a level that
    writes by letter, or a customer without an email address). The letters of a day
    print as one PDF, each followed by the documents its level carries."""

    _name = "customer.credit.letter"
    _description = "Follow-up Letter"
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, readonly=True, ondelete="cascade"
    )
    address_id = fields.Many2one(
        "res.partner",
        required=True,
        readonly=True,
        ondelete="cascade",
        help="The customer's invoicing contact, else the customer.",
    )
    level_id = fields.Many2one(
        "customer.credit.escalation.level",
        required=True,
        readonly=True,
        ondelete="cascade",
        check_company=True,
    )
    date = fields.Date(required=True, readonly=True, index=True)
    move_ids = fields.Many2many(
        "account.move",
        "customer_credit_letter_move_rel",
        "letter_id",
        "move_id",
        "Invoices",
        readonly=True,
    )
    courtesy = fields.Boolean(readonly=True, help="Before the due date: a courtesy reminder.")
    attach_statement = fields.Boolean("With the Statement", readonly=True)
    attach_invoices = fields.Boolean("With the Invoices", readonly=True)
    reason = fields.Selection(
        [("letter", "Level writes by letter"), ("no_email", "No email address")],
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        [("to_print", "To Print"), ("printed", "Printed")],
        default="to_print",
        required=True,
        readonly=True,
        index=True,
    )
    printed_date = fields.Datetime(readonly=True)
    printed_by_id = fields.Many2one("res.users", readonly=True)
    batch_attachment_id = fields.Many2one(
        "ir.attachment", "Printed Batch", readonly=True, ondelete="set null"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_residual = fields.Monetary(compute="_compute_amount_residual", string="Amount Due")
    lang = fields.Selection(related="address_id.lang")

    @api.depends("move_ids.amount_residual_signed")
    def _compute_amount_residual(self):
        for letter in self:
            letter.amount_residual = sum(letter.move_ids.mapped("amount_residual_signed"))

    # ------------------------------------------------------------------ printing

    @api.model
    def _check_printer(self):
        if not any(self.env.user.has_group(group) for group in LETTER_GROUPS):
            raise AccessError(
                self.env._(
                    "Only credit managers and accountants print the follow-up letters. "
                    "Ask one of them."
                )
            )

    @api.model
    def action_print_letters_of_the_day(self):
        """One PDF with every letter still to print in the user's current company (the
        day's, and any earlier one not printed yet), each followed by its documents;
        the letters are marked printed and the PDF is kept on them."""
        self._check_printer()
        today = fields.Date.context_today(self)
        letters = self.search(
            [
                ("state", "=", "to_print"),
                ("date", "<=", today),
                ("company_id", "=", self.env.company.id),
            ],
            order="date, partner_id, id",
        )
        if not letters:
            raise UserError(self.env._("No letter to print: the escalation created none."))
        return letters._print_batch(today)

    def action_print(self):
        """Print the selected letters again (or for the first time) as one PDF."""
        self._check_printer()
        return self._print_batch(fields.Date.context_today(self))

    def _print_batch(self, today):
        content = self._batch_pdf()
        # kept on the letters: whoever reads them reads the batch (the printer checked above)
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": self.env._("Follow-up letters %(date)s.pdf", date=today),
                    "datas": base64.b64encode(content),
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": self[:1].id,
                }
            )
        )
        self.sudo().write(
            {
                "state": "printed",
                "printed_date": fields.Datetime.now(),
                "printed_by_id": self.env.user.id,
                "batch_attachment_id": attachment.id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _batch_pdf(self):
        """The letters, each followed by its statement and invoices, as one PDF. One
        rendering per letter: each letter in its own language, and wkhtmltopdf builds
        without patched Qt cannot lay out several documents in one run."""
        Report = self.env["ir.actions.report"].sudo()
        report = "customer_credit.action_report_credit_letter"
        parts = []
        for letter in self:
            parts.append(Report._render_qweb_pdf(report, letter.ids)[0])
            parts += [content for _name, content in letter._documents()]
        return merge_pdf(parts) if len(parts) > 1 else parts[0]

    def _documents(self):
        """(filename, PDF bytes) of the documents the letter carries."""
        self.ensure_one()
        return self.partner_id.with_company(self.company_id)._credit_follow_up_documents(
            self.move_ids, self.date, self.attach_statement, self.attach_invoices
        )
