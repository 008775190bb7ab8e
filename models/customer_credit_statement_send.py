"""Statements to send: one row per customer and period, sent by a cron in batches
(committed per batch) so that 1,000 statements neither block a user nor get lost.
"""

import logging

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL
from odoo.tools import split_every

from ..tools.receivables import RECEIVABLE_ACCOUNTS_SQL
from ..tools.statement import previous_month

_logger = logging.getLogger(__name__)

STATEMENT_TEMPLATE = "customer_credit.mail_template_customer_statement"
QUEUE_CRON = "customer_credit.ir_cron_credit_send_statement_queue"
# Statements per committed batch (one PDF each).
SEND_BATCH = 50


class CustomerCreditStatementSend(models.Model):
    _name = "customer.credit.statement.send"
    _description = "Customer Statement to Send"
    _order = "id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date_from = fields.Date("From", required=True)
    date_to = fields.Date("To", required=True)
    state = fields.Selection(
        [("pending", "To Send"), ("sent", "Sent"), ("failed", "Failed")],
        default="pending",
        required=True,
        index=True,
    )
    error = fields.Text()
    message_id = fields.Many2one("mail.message", "Message", readonly=True)
    requested_by_id = fields.Many2one(
        "res.users", "Requested By", default=lambda self: self.env.user, readonly=True
    )

    @api.model
    def _enqueue(self, partners, date_from, date_to):
        """Queue the statements of ``partners`` (commercial) for the period in the
        current company and wake the sending cron. Returns the queued rows."""
        rows = self.sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": self.env.company.id,
                    "date_from": date_from,
                    "date_to": date_to,
                    "requested_by_id": self.env.user.id,
                }
                for partner in partners.commercial_partner_id
            ]
        )
        self.env.ref(QUEUE_CRON).sudo()._trigger()
        return rows

    def _send(self):
        """Send each statement now: the PDF by email to the customer's invoice
        address with the statement template, posted in the customer's chatter.
        A statement that cannot be sent is marked failed with the reason."""
        template = self.env.ref(STATEMENT_TEMPLATE)
        pdfs = {}
        for (company, date_from, date_to), rows in self.grouped(
            lambda row: (row.company_id, row.date_from, row.date_to)
        ).items():
            partners = rows.partner_id.with_company(company)
            try:
                with self.env.cr.savepoint():
                    rendered = (
                        self.env["customer.credit.statement"]
                        .with_company(company)
                        ._statement_pdfs(partners, date_from, date_to)
                    )
            except Exception as error:  # noqa: BLE001 - rendered one by one below
                _logger.warning("Statements not rendered together, one by one: %s", error)
                rendered = {}
            for partner_id, pdf in rendered.items():
                pdfs[company.id, date_from, date_to, partner_id] = pdf
        for row in self:
            partner = row.partner_id.with_company(row.company_id)
            try:
                with self.env.cr.savepoint():
                    pdf = pdfs.get(
                        (row.company_id.id, row.date_from, row.date_to, partner.id)
                    ) or partner._credit_statement_pdf(row.date_from, row.date_to)
                    message = row._post_statement(template, partner, pdf)
                row.write({"state": "sent", "message_id": message.id, "error": False})
            except Exception as error:  # noqa: BLE001 - one bad customer must not stop the rest
                _logger.warning("Statement of %s not sent: %s", partner.display_name, error)
                row.write({"state": "failed", "error": str(error)})

    def _post_statement(self, template, partner, pdf):
        recipient = self.env["res.partner"].browse(partner.address_get(["invoice"])["invoice"])
        if not recipient.email:
            raise ValueError(
                self.env._(
                    "%(customer)s has no email address: add one to its invoice address.",
                    customer=recipient.display_name,
                )
            )
        filename, content = pdf
        template = template.with_context(
            credit_statement_date_from=self.date_from,
            credit_statement_date_to=self.date_to,
        )
        subject = template._render_field("subject", partner.ids)[partner.id]
        body = template._render_field("body_html", partner.ids)[partner.id]
        return partner.message_post(
            body=body,
            subject=subject,
            partner_ids=recipient.ids,
            attachments=[(filename, content)],
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_light",
        )

    @api.model
    def _send_statement_batch(self, batch_size=SEND_BATCH, limit=None):
        """Send the queued statements, ``batch_size`` per committed batch, reporting
        progress to the cron; ``limit``: stop after that many (the cron reruns).
        Returns the number sent or failed."""
        pending = self.sudo().search([("state", "=", "pending")], limit=limit)
        monitor = self.env["customer.credit.monitor"]
        done = 0
        for batch in split_every(batch_size, pending.ids, self.sudo().browse):
            for company, rows in batch.grouped("company_id").items():
                rows.with_company(company)._send()
            done += len(batch)
            monitor._commit_batch(done, len(pending) - done)
        return done

    @api.model
    def _cron_send_statement_queue(self):
        """Send what is queued (woken by ``_enqueue``)."""
        return self._send_statement_batch()

    @api.model
    def _cron_send_statements(self):
        """Monthly: queue last month's statement of every customer who opted in, in
        each company where it has receivable entries, then send them."""
        date_from, date_to = previous_month(fields.Date.context_today(self))
        partners = (
            self.env["res.partner"]
            .sudo()
            .search([("credit_statement_monthly", "=", True)])
            .commercial_partner_id
        )
        if not partners:
            return 0
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT aml.company_id, rp.commercial_partner_id
                  FROM account_move_line aml
                  JOIN res_partner rp ON rp.id = aml.partner_id
                 WHERE aml.account_id IN %s AND aml.parent_state = 'posted'
                   AND rp.commercial_partner_id = ANY(%s) AND aml.date <= %s
                """,
                RECEIVABLE_ACCOUNTS_SQL,
                partners.ids,
                date_to,
            )
        )
        by_company = {}
        for company_id, partner_id in rows:
            by_company.setdefault(company_id, []).append(partner_id)
        for company_id, partner_ids in by_company.items():
            company = self.env["res.company"].browse(company_id)
            self.with_company(company)._enqueue(
                self.env["res.partner"].browse(partner_ids), date_from, date_to
            )
        return self._send_statement_batch()
