"""Customer statement (对账单): the figures of a customer over a period, as a PDF (QWeb)
or an XLSX. The maths is in ``tools/statement.py``, the workbook in
``reports/statement_xlsx.py``; sending is ``customer.credit.statement.send``.

Nothing here writes: the portal downloads it on a read-only cursor.
"""

import io

from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..reports.aging_xlsx import currency_num_format
from ..reports.statement_xlsx import write_statement_workbook
from ..tools.receivables import RECEIVABLE_ACCOUNTS_SQL
from ..tools.statement import StatementRow
from ..tools.statement import build_statement_sections
from ..tools.statement import previous_month

STATEMENT_REPORT = "customer_credit.action_report_customer_statement"


class CustomerCreditStatement(models.AbstractModel):
    _name = "customer.credit.statement"
    _description = "Customer Statement"

    def _statement_rows(self, company, partner_ids, date_from, date_to):
        """{commercial partner id: (opening, rows)} of ``partner_ids`` in ``company``
        (one query): ``opening`` {currency_id: (balance, amount_currency)} of the
        posted receivable lines before ``date_from``; ``rows`` the
        :class:`StatementRow` of the period in date order. Contacts count for their
        company."""
        self.env.flush_all()
        where = SQL(
            "aml.account_id IN %s AND aml.parent_state = 'posted'"
            " AND aml.company_id = %s AND rp.commercial_partner_id = ANY(%s)",
            RECEIVABLE_ACCOUNTS_SQL,
            company.id,
            list(partner_ids),
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT rp.commercial_partner_id, 0 AS part, NULL::integer, NULL::date,
                       NULL::varchar, NULL::varchar, NULL::varchar, NULL::date,
                       aml.currency_id, SUM(aml.balance), SUM(aml.amount_currency)
                  FROM account_move_line aml
                  JOIN res_partner rp ON rp.id = aml.partner_id
                 WHERE %(where)s AND aml.date < %(date_from)s
                 GROUP BY rp.commercial_partner_id, aml.currency_id
                 UNION ALL
                SELECT rp.commercial_partner_id, 1, aml.id, aml.date,
                       CASE WHEN am.move_type IN ('out_invoice', 'out_receipt') THEN 'invoice'
                            WHEN am.move_type = 'out_refund' THEN 'credit_note'
                            WHEN am.origin_payment_id IS NOT NULL
                              OR am.statement_line_id IS NOT NULL THEN 'payment'
                            ELSE 'entry' END,
                       aml.move_name, COALESCE(NULLIF(am.ref, ''), NULLIF(aml.name, ''), ''),
                       aml.date_maturity, aml.currency_id, aml.balance, aml.amount_currency
                  FROM account_move_line aml
                  JOIN account_move am ON am.id = aml.move_id
                  JOIN res_partner rp ON rp.id = aml.partner_id
                 WHERE %(where)s AND aml.date BETWEEN %(date_from)s AND %(date_to)s
                 ORDER BY 1, 2, 4, 6, 3
                """,
                where=where,
                date_from=date_from,
                date_to=date_to,
            )
        )
        result = {pid: ({}, []) for pid in partner_ids}
        for partner_id, part, *values in rows:
            opening, lines = result[partner_id]
            if part == 0:
                currency_id, balance, amount_currency = values[6:]
                opening[currency_id] = (balance or 0.0, amount_currency or 0.0)
            else:
                lines.append(StatementRow(*values))
        return result

    def _statement_data(self, partners, date_from, date_to, company=None):
        """{partner id: values of the statement template} for commercial ``partners``:
        sections (company currency first, then one per foreign currency), and the
        aging at ``date_to`` (from the aging engine)."""
        company = company or self.env.company
        currency = company.currency_id
        fetched = self._statement_rows(company, partners.ids, date_from, date_to)
        currency_ids = {currency.id}
        for opening, rows in fetched.values():
            currency_ids |= set(opening) | {row.currency_id for row in rows}
        currencies = self.env["res.currency"].browse(sorted(currency_ids))
        digits = {c.id: c.decimal_places for c in currencies}
        result = {}
        for partner in partners:
            engine = self.env["customer.credit.aging.engine"].with_context(
                lang=partner.lang or self.env.lang
            )
            aging_columns, aging_total = engine._aging_bucket_totals(date_to, company, partner.ids)[
                partner.id
            ]
            opening, rows = fetched[partner.id]
            sections = build_statement_sections(currency.id, digits, opening, rows)
            for section in sections:
                section["currency"] = currencies.browse(section["currency_id"])
            result[partner.id] = {
                "partner": partner,
                "company": company,
                "date_from": date_from,
                "date_to": date_to,
                "sections": sections,
                "aging_columns": aging_columns,
                "aging_total": aging_total,
            }
        return result

    def _statement_filename(self, partner, date_from, date_to, extension):
        """ "Statement - <customer> - <from>_<to>.<ext>" in the customer's language."""
        name = self.with_context(lang=partner.lang or self.env.lang).env._(
            "Statement - %(customer)s - %(date_from)s_%(date_to)s",
            customer=partner.name,
            date_from=fields.Date.to_string(date_from),
            date_to=fields.Date.to_string(date_to),
        )
        return f"{name.replace('/', '-')}.{extension}"

    def _statement_pdf(self, partner, date_from, date_to):
        """(filename, PDF bytes) of the statement of commercial ``partner``, in its
        language (HTML bytes in a test run, as every Odoo report there)."""
        content, _kind = self.env["ir.actions.report"]._render_qweb_pdf(
            STATEMENT_REPORT,
            partner.ids,
            data={
                "date_from": fields.Date.to_string(date_from),
                "date_to": fields.Date.to_string(date_to),
            },
        )
        return self._statement_filename(partner, date_from, date_to, "pdf"), content

    def _statement_xlsx(self, partner, date_from, date_to):
        """(filename, XLSX bytes) of the statement of commercial ``partner``, in its
        language: the same figures as the PDF."""
        lang = partner.lang or self.env.lang
        self = self.with_context(lang=lang)
        _ = self.env._
        data = self._statement_data(partner, date_from, date_to)[partner.id]
        kinds = self._statement_kind_labels()
        sections = []
        for section in data["sections"]:
            currency = section["currency"]
            sections.append(
                {
                    "title": _("Amounts in %(currency)s", currency=currency.name),
                    "num_format": currency_num_format(
                        currency.symbol, currency.position, currency.decimal_places
                    ),
                    "opening": section["opening"],
                    "closing": section["closing"],
                    "total_debit": section["total_debit"],
                    "total_credit": section["total_credit"],
                    "lines": [
                        (
                            line["row"].date,
                            kinds[line["row"].kind],
                            line["row"].move_name or "",
                            line["row"].reference or "",
                            line["row"].date_maturity,
                            line["debit"],
                            line["credit"],
                            line["balance"],
                        )
                        for line in section["lines"]
                    ],
                }
            )
        buffer = io.BytesIO()
        write_statement_workbook(
            buffer,
            sheet_name=_("Statement"),
            title=_("Customer Statement"),
            header=[
                (_("Customer"), partner.name),
                (_("Company"), data["company"].name),
                (_("From"), date_from),
                (_("To"), date_to),
            ],
            columns=[
                _("Date"),
                _("Type"),
                _("Document"),
                _("Reference"),
                _("Due Date"),
                _("Debit"),
                _("Credit"),
                _("Balance"),
            ],
            labels={
                "opening": _("Opening Balance"),
                "closing": _("Closing Balance"),
                "aging": _("Aging at %(date)s", date=fields.Date.to_string(date_to)),
                "total": _("Total"),
            },
            sections=sections,
            aging=(data["aging_columns"], data["aging_total"]),
            aging_num_format=sections[0]["num_format"],
        )
        return self._statement_filename(partner, date_from, date_to, "xlsx"), buffer.getvalue()

    def _statement_kind_labels(self):
        _ = self.env._
        return {
            "invoice": _("Invoice"),
            "credit_note": _("Credit Note"),
            "payment": _("Payment"),
            "entry": _("Journal Entry"),
        }


class ReportCustomerStatement(models.AbstractModel):
    _name = "report.customer_credit.report_customer_statement"
    _description = "Customer Statement Report"

    def _get_report_values(self, docids, data=None):
        """The statement of each commercial partner of ``docids`` for the period of
        ``data`` (default: last month)."""
        data = data or {}
        default_from, default_to = previous_month(fields.Date.context_today(self))
        date_from = fields.Date.to_date(data.get("date_from")) or default_from
        date_to = fields.Date.to_date(data.get("date_to")) or default_to
        partners = self.env["res.partner"].browse(docids).commercial_partner_id
        statements = self.env["customer.credit.statement"]._statement_data(
            partners, date_from, date_to
        )
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "statements": statements,
        }
