"""The portal credit page (/my/credit): a customer's portal users see their credit
limit, what is used and available, their open invoices, download their statement and
their agreements. Only their own commercial partner; nothing internal (score, grade,
notes). Every route reads only (``readonly=True``): they may run on a read replica.
"""

from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import NotFound

from odoo import fields
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.http import content_disposition
from odoo.http import request
from odoo.http import route

from ..tools.statement import previous_month
from .aging import XLSX_MIMETYPE

AGREEMENT_STATES = ("active", "expired")


class CustomerCreditPortal(CustomerPortal):
    def _credit_portal_partner(self):
        """The user's commercial partner (sudo, current company) when the company shows
        the credit page and the customer is not left out; else None."""
        company = request.env.company
        partner = request.env.user.partner_id.commercial_partner_id
        partner = partner.sudo().with_company(company)
        if not company.credit_portal_page or partner.credit_portal_hidden:
            return None
        return partner

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "credit_page_count" in counters:
            values["credit_page_count"] = 1 if self._credit_portal_partner() else 0
        return values

    def _credit_partner_or_404(self):
        partner = self._credit_portal_partner()
        if not partner:
            raise NotFound()
        return partner

    def _credit_agreements(self, partner):
        return (
            request.env["customer.credit.agreement"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", request.env.company.id),
                    ("state", "in", AGREEMENT_STATES),
                ]
            )
        )

    def _credit_open_invoices(self, partner):
        return (
            request.env["account.move"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("company_id", "=", request.env.company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                ],
                order="invoice_date_due, id",
            )
        )

    @route("/my/credit", type="http", auth="user", website=True, readonly=True)
    def portal_my_credit(self, **kwargs):
        """The credit page of the user's customer."""
        partner = self._credit_partner_or_404()
        today = fields.Date.context_today(partner)
        invoices = self._credit_open_invoices(partner)
        date_from, date_to = previous_month(today)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "credit",
                "credit_partner": partner,
                "credit_currency": request.env.company.currency_id,
                # the exposure figures of the partner form (res.partner computes them)
                "credit_limit": partner.credit_limit,
                "credit_used": partner.credit_exposure,
                "credit_available": partner.credit_available,
                "credit_invoices": [
                    (invoice, max((today - invoice.invoice_date_due).days, 0))
                    if invoice.invoice_date_due
                    else (invoice, 0)
                    for invoice in invoices
                ],
                "credit_agreements": self._credit_agreements(partner),
                "statement_date_from": fields.Date.to_string(date_from),
                "statement_date_to": fields.Date.to_string(date_to),
            }
        )
        return request.render("customer_credit.portal_my_credit", values)

    @route("/my/credit/statement", type="http", auth="user", website=True, readonly=True)
    def portal_my_credit_statement(
        self, date_from=None, date_to=None, format="pdf", partner_id=None, **kwargs
    ):
        """The statement of the user's customer for a period, PDF or XLSX."""
        partner = self._credit_partner_or_404()
        if partner_id and str(partner_id) != str(partner.id):
            raise Forbidden()
        try:
            start = fields.Date.to_date(date_from)
            end = fields.Date.to_date(date_to)
        except ValueError:
            start = end = None
        if not start or not end or start > end or format not in ("pdf", "xlsx"):
            raise NotFound()
        if format == "xlsx":
            filename, content = partner._credit_statement_xlsx(start, end)
            mimetype = XLSX_MIMETYPE
        else:
            filename, content = partner._credit_statement_pdf(start, end)
            mimetype = "application/pdf" if content[:4] == b"%PDF" else "text/html"
        return request.make_response(
            content,
            headers=[
                ("Content-Type", mimetype),
                ("Content-Length", len(content)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )

    @route(
        "/my/credit/agreement/<int:agreement_id>",
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_credit_agreement(self, agreement_id, **kwargs):
        """The PDF of one of the customer's active or expired agreements."""
        partner = self._credit_partner_or_404()
        agreement = self._credit_agreements(partner).filtered(lambda a: a.id == agreement_id)
        if not agreement:
            raise NotFound()
        content, _kind = (
            request.env["ir.actions.report"]
            .sudo()
            .with_context(report_pdf_no_attachment=True)
            ._render_qweb_pdf("customer_credit.action_report_credit_agreement", agreement.ids)
        )
        mimetype = "application/pdf" if content[:4] == b"%PDF" else "text/html"
        filename = f"{agreement.name or agreement.id}.pdf".replace("/", "-")
        return request.make_response(
            content,
            headers=[
                ("Content-Type", mimetype),
                ("Content-Length", len(content)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
