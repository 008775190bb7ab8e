"""Statements to send: one row per customer and period, sent by a cron in batches
(committed per batch) so that 1,000 statements neither block a user nor get lost.
"""

import logging

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools import SQL

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
    message_id = fields.Many2one("mail.message", readonly=True)
    requested_by_id = fields.Many2one(
        "res.users", default=lambda self: self.env.user, readonly=True
    )

    @api.model
    def _enqueue(self, partners, date_from, date_to, trigger=True):
        """Queue the statements of ``partners`` (commercial) for the period in the
        current company and (``trigger``) wake the sending cron. Returns the rows."""
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
        if trigger:
            self.env.ref(QUEUE_CRON).sudo()._trigger()
        return rows

    def _send(self):
        """Send each statement now: the PDF (one wkhtmltopdf run per customer, see
        docs/statements.md) by email to the customer's invoice address with the
        statement template, posted in the customer's chatter. A statement that
        cannot be sent is marked failed with the reason; the others go on."""
        template = self.env.ref(STATEMENT_TEMPLATE)
        for row in self:
            partner = row.partner_id.with_company(row.company_id)
            try:
                with self.env.cr.savepoint():
                    message = row._post_statement(template, partner)
                    row.write({"state": "sent", "message_id": message.id, "error": False})
            except Exception as error:  # noqa: BLE001 - one bad customer must not stop the rest
                _logger.warning("Statement of %s not sent: %s", partner.display_name, error)
                row.write({"state": "failed", "error": str(error)})

    def _post_statement(self, template, partner):
        recipient = self.env["res.partner"].browse(partner.address_get(["invoice"])["invoice"])
        if not recipient.email:
            raise UserError(
                self.env._(
                    "%(customer)s has no email address: add one to its invoice address.",
                    customer=recipient.display_name,
                )
            )
        filename, content = partner._credit_statement_pdf(self.date_from, self.date_to)
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
    def _pending_batch(self, batch_size):
        """The next ``batch_size`` queued rows, locked: two workers never send the
        same statement (rows another transaction holds are skipped)."""
        rows = self.env.execute_query(
            SQL(
                "SELECT id FROM customer_credit_statement_send WHERE state = 'pending'"
                " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
                batch_size,
            )
        )
        return self.sudo().browse([row[0] for row in rows])

    @api.model
    def _send_statement_batch(self, batch_size=SEND_BATCH, limit=None):
        """Send the queued statements, ``batch_size`` per committed batch, reporting
        progress to the cron; ``limit``: stop after about that many (the cron is
        triggered again to finish). Returns the number sent or failed."""
        self.env.flush_all()
        total = self.sudo().search_count([("state", "=", "pending")])
        monitor = self.env["customer.credit.monitor"]
        done = 0
        while not limit or done < limit:
            batch = self._pending_batch(batch_size)
            if not batch:
                break
            for company, rows in batch.grouped("company_id").items():
                rows.with_company(company)._send()
            done += len(batch)
            self.env.flush_all()
            monitor._commit_batch(done, max(total - done, 0))
        if limit and done >= limit:
            self.env.ref(QUEUE_CRON).sudo()._trigger()
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
                self.env["res.partner"].browse(partner_ids), date_from, date_to, trigger=False
            )
        return self._send_statement_batch()
