"""Receivable aging: the options of a run and the run itself.

The record is the options form; ``action_compute`` writes its results (buckets,
one row per customer and company, in one SQL statement) and opens them. The rows
of the open items behind the figures are written on first use (drill-down,
analysis), by one SQL statement from the same options (the XLSX detail sheet
streams the same query without writing them, unless they exist): they
reflect the ledger at the moment they are first opened (``items_computed_on``),
which can differ from the summary's if entries were posted or matched in
between. Results are transient: they live as long as the options record.
"""

import os
import tempfile

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..models.customer_credit_aging_line import BUCKET_FIELDS
from ..reports.aging_xlsx import currency_num_format
from ..reports.aging_xlsx import write_aging_workbook
from ..tools.aging_buckets import DEFAULT_BUCKET_SPEC
from ..tools.aging_buckets import BucketSpecError
from ..tools.aging_buckets import bucket_bounds_text
from ..tools.aging_buckets import build_buckets
from ..tools.aging_buckets import parse_bucket_spec
from ..tools.aging_sql import aging_detail_sql
from ..tools.aging_sql import aging_items_sql
from ..tools.aging_sql import aging_summary_sql

# Rows fetched per round trip when streaming results to a file.
EXPORT_BATCH = 20000


class CustomerCreditAgingReport(models.TransientModel):
    _name = "customer.credit.aging.report"
    _description = "Receivable Aging"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    date_as_of = fields.Date(
        "As of",
        required=True,
        default=fields.Date.context_today,
        help="Items are aged and valued as they stood at the end of this day: an invoice "
        "paid later is still open, payments matched later are not deducted.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    company_ids = fields.Many2many(
        "res.company",
        "customer_credit_aging_report_company_rel",
        "report_id",
        "company_id",
        "Companies",
        required=True,
        default=lambda self: self.env.companies,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)],
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "customer_credit_aging_report_partner_rel",
        "report_id",
        "partner_id",
        "Customers",
        help="Empty: every customer. Contacts count for their company.",
    )
    user_ids = fields.Many2many(
        "res.users",
        "customer_credit_aging_report_user_rel",
        "report_id",
        "user_id",
        "Salespersons",
        help="Empty: everyone. An item belongs to its invoice's salesperson, "
        "else to the customer's salesperson.",
    )
    grade_ids = fields.Many2many(
        "customer.credit.grade",
        "customer_credit_aging_report_grade_rel",
        "report_id",
        "grade_id",
        "Credit Grades",
        help="Empty: every grade, and customers without one.",
    )
    aging_basis = fields.Selection(
        [("due", "Due Date"), ("invoice", "Invoice Date")],
        "Age By",
        required=True,
        default="due",
    )
    bucket_spec = fields.Char(
        "Buckets",
        required=True,
        default=DEFAULT_BUCKET_SPEC,
        help="Ranges of days, separated by commas, e.g. 1-30, 31-60, 61-90, 91-120, 121+. "
        "A first column holds the items before the first range (not due yet); "
        "an 'over' column is added when the last range is closed.",
    )
    state = fields.Selection([("draft", "Options"), ("done", "Computed")], default="draft")
    computed_on = fields.Datetime(readonly=True)
    items_computed_on = fields.Datetime(
        "Open Items Computed On",
        readonly=True,
        help="The open items are written the first time they are opened, from the "
        "ledger at that moment. Empty: not written yet.",
    )
    bucket_ids = fields.One2many("customer.credit.aging.bucket", "report_id", readonly=True)
    line_ids = fields.One2many("customer.credit.aging.line", "report_id", readonly=True)
    item_ids = fields.One2many("customer.credit.aging.item", "report_id", readonly=True)
    line_count = fields.Integer("Customer Rows", compute="_compute_counts")
    item_count = fields.Integer("Open Items", compute="_compute_counts")

    # ------------------------------------------------------------------ computes

    @api.depends("date_as_of")
    def _compute_name(self):
        for report in self:
            report.name = self.env._(
                "Receivable Aging at %(date)s",
                date=fields.Date.to_string(report.date_as_of) if report.date_as_of else "",
            )

    def _compute_counts(self):
        # item_count from the customer rows: the items may not be written yet
        Line = self.env["customer.credit.aging.line"]
        groups = Line._read_group(
            [("report_id", "in", self.ids)], ["report_id"], ["__count", "item_count:sum"]
        )
        counts = {report: (lines, items) for report, lines, items in groups}
        for report in self:
            report.line_count, report.item_count = counts.get(report, (0, 0))

    OPTION_FIELDS = (
        "date_as_of",
        "company_ids",
        "partner_ids",
        "user_ids",
        "grade_ids",
        "aging_basis",
        "bucket_spec",
    )

    def write(self, vals):
        # Changed options make the stored results stale: recompute on next use.
        if any(name in vals for name in self.OPTION_FIELDS):
            vals = {**vals, "state": "draft"}
        return super().write(vals)

    # ------------------------------------------------------------------ checks

    @api.constrains("date_as_of")
    def _check_date_as_of(self):
        for report in self:
            today = fields.Date.context_today(report)
            if report.date_as_of and report.date_as_of > today:
                raise ValidationError(
                    self.env._(
                        "The as-of date %(date)s is in the future: the aging of a day that has "
                        "not ended is not known. Choose today (%(today)s) or an earlier date.",
                        date=fields.Date.to_string(report.date_as_of),
                        today=fields.Date.to_string(today),
                    )
                )

    @api.constrains("bucket_spec")
    def _check_bucket_spec(self):
        for report in self:
            report._bucket_ranges()

    def _bucket_ranges(self):
        """Parsed bucket ranges; a clear ValidationError when they cannot be used."""
        self.ensure_one()
        try:
            return parse_bucket_spec(self.bucket_spec)
        except BucketSpecError as error:
            raise ValidationError(self._bucket_error_message(error)) from None

    def _bucket_error_message(self, error):
        params = error.params
        example = DEFAULT_BUCKET_SPEC
        messages = {
            "empty": lambda: self.env._(
                "Enter at least one aging bucket, e.g. %(example)s.", example=example
            ),
            "syntax": lambda: self.env._(
                "The aging bucket '%(token)s' is not a range of days. Write ranges such as "
                "1-30 and an open last range such as 121+, separated by commas.",
                token=params["token"],
            ),
            "order": lambda: self.env._(
                "The aging bucket '%(token)s' ends before it starts. Write the smaller "
                "number first.",
                token=params["token"],
            ),
            "overlap": lambda: self.env._(
                "The aging buckets '%(first)s' and '%(second)s' overlap: an item would be "
                "counted twice. Make each range start the day after the previous one ends.",
                first=params["first"],
                second=params["second"],
            ),
            "gap": lambda: self.env._(
                "There is a gap between the aging buckets '%(first)s' and '%(second)s': "
                "items in between would be missing. Make each range start the day after "
                "the previous one ends.",
                first=params["first"],
                second=params["second"],
            ),
            "open_not_last": lambda: self.env._(
                "The open-ended aging bucket '%(token)s' must be the last one.",
                token=params["token"],
            ),
            "start": lambda: self.env._(
                "The first aging bucket '%(token)s' must start at 0 or 1 day, so that no "
                "item falls outside the buckets.",
                token=params["token"],
            ),
            "too_many": lambda: self.env._(
                "%(count)s aging buckets were given; at most %(maximum)s columns fit, the "
                "leading 'not due' column included. Merge some ranges.",
                count=params["count"],
                maximum=params["maximum"],
            ),
        }
        return messages[error.kind]()

    def _check_options(self):
        self.ensure_one()
        self._check_date_as_of()
        self._bucket_ranges()
        if not self.company_ids:
            raise UserError(self.env._("Choose at least one company to age."))
        foreign = self.company_ids - self.env.user.company_ids
        if foreign and not self.env.su:
            raise AccessError(
                self.env._(
                    "You have no access to %(companies)s. Remove them from the report.",
                    companies=", ".join(foreign.mapped("name")),
                )
            )

    # ------------------------------------------------------------------ run

    def _bucket_label(self, bucket):
        if bucket.days_from is None:
            if self.aging_basis == "due":
                return self.env._("Not Due")
            return self.env._("Current")
        if bucket.days_to is None:
            return self.env._("Over %(days)s", days=bucket.days_from - 1)
        return bucket_bounds_text(bucket)

    def _company_fallbacks(self):
        """Each company's default credit limit, grade and hold, for customers without
        a value of their own in that company."""
        fallbacks = {}
        for company in self.company_ids:
            partners = self.env["res.partner"].sudo().with_company(company)
            fields_ = partners._fields
            limit = fields_["credit_limit"].get_company_dependent_fallback(partners)
            grade = fields_["credit_grade_id"].get_company_dependent_fallback(partners)
            hold = fields_["credit_hold"].get_company_dependent_fallback(partners)
            fallbacks[company.id] = (limit or 0.0, grade.id or None, bool(hold))
        return fallbacks

    def _run_aging(self):
        """Write this run's buckets and customer rows (one SQL statement); the open
        items are written on first use (``_ensure_items``)."""
        self.ensure_one()
        self._check_options()
        self.env.flush_all()
        for table in (
            "customer_credit_aging_item",
            "customer_credit_aging_line",
            "customer_credit_aging_bucket",
        ):
            self.env.cr.execute(
                SQL("DELETE FROM %s WHERE report_id = %s", SQL.identifier(table), self.id)
            )
        self.env["customer.credit.aging.item"].invalidate_model()
        self.env["customer.credit.aging.line"].invalidate_model()
        self.env["customer.credit.aging.bucket"].invalidate_model()
        self.invalidate_recordset(["bucket_ids", "line_ids", "item_ids"])
        buckets = build_buckets(self._bucket_ranges())
        bucket_records = self.env["customer.credit.aging.bucket"].create(
            [
                {
                    "report_id": self.id,
                    "sequence": bucket.index,
                    "name": self._bucket_label(bucket),
                    "days_from": bucket.days_from or 0,
                    "days_to": bucket.days_to or 0,
                    "has_days_from": bucket.days_from is not None,
                    "has_days_to": bucket.days_to is not None,
                }
                for bucket in buckets
            ]
        )
        self.env.flush_all()
        self.env.cr.execute(aging_summary_sql(**self._aging_sql_options(bucket_records, buckets)))
        self.env["customer.credit.aging.line"].invalidate_model()
        self.invalidate_recordset(["line_ids", "item_ids"])
        self.write(
            {"state": "done", "computed_on": fields.Datetime.now(), "items_computed_on": False}
        )

    def _aging_sql_options(self, bucket_records, buckets):
        """Keyword arguments of ``aging_summary_sql`` / ``aging_items_sql``."""
        return {
            "report_id": self.id,
            "uid": self.env.uid,
            "as_of": self.date_as_of,
            "company_ids": self.company_ids.ids,
            "basis": self.aging_basis,
            "buckets": [
                (record.id, bucket.days_from, bucket.days_to)
                for record, bucket in zip(bucket_records, buckets)
            ],
            "fallbacks": self._company_fallbacks(),
            "partner_ids": self.partner_ids.commercial_partner_id.ids if self.partner_ids else None,
            "user_ids": self.user_ids.ids if self.user_ids else None,
            "grade_ids": self.grade_ids.ids if self.grade_ids else None,
        }

    def _ensure_items(self):
        """Write the open items of the run if not done yet (one SQL statement, same
        options as the summary; ledger as of now)."""
        self._ensure_computed()
        if self.items_computed_on:
            return
        self.env.flush_all()
        # the run's buckets, in column order (sequence = index of the parsed spec)
        buckets = build_buckets(self._bucket_ranges())
        bucket_records = self.bucket_ids.sorted("sequence")
        self.env.cr.execute(
            SQL("DELETE FROM customer_credit_aging_item WHERE report_id = %s", self.id)
        )
        self.env.cr.execute(aging_items_sql(**self._aging_sql_options(bucket_records, buckets)))
        self.env["customer.credit.aging.item"].invalidate_model()
        self.invalidate_recordset(["item_ids"])
        self.write({"items_computed_on": fields.Datetime.now()})

    def action_compute(self):
        """Compute the aging and show one row per customer."""
        self.ensure_one()
        self._run_aging()
        return self.action_open_summary()

    # ------------------------------------------------------------------ results

    def _ensure_computed(self):
        self.ensure_one()
        if self.state != "done":
            self._run_aging()

    def _result_context(self):
        return {
            "aging_report_id": self.id,
            "aging_bucket_count": len(self.bucket_ids),
            "create": False,
            "edit": False,
            "delete": False,
        }

    def action_open_summary(self):
        """One row per customer (and company), with the bucket columns and a totals row."""
        self._ensure_computed()
        context = self._result_context()
        if len(self.company_ids) > 1:
            # One block, one currency, per company.
            context["group_by"] = ["company_id"]
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "customer.credit.aging.line",
            "views": [
                (self.env.ref("customer_credit.customer_credit_aging_line_view_list").id, "list"),
                (self.env.ref("customer_credit.customer_credit_aging_line_view_pivot").id, "pivot"),
                (self.env.ref("customer_credit.customer_credit_aging_line_view_graph").id, "graph"),
            ],
            "search_view_id": self.env.ref(
                "customer_credit.customer_credit_aging_line_view_search"
            ).id,
            "domain": [("report_id", "=", self.id)],
            "context": context,
            "target": "current",
        }

    def _action_items(self, domain, name=None, group_by_bucket=False):
        self.ensure_one()
        self._ensure_items()
        context = self._result_context()
        if group_by_bucket:
            context["group_by"] = ["bucket_id"]
        return {
            "type": "ir.actions.act_window",
            "name": name or self.env._("Open Items"),
            "res_model": "customer.credit.aging.item",
            "views": [
                (self.env.ref("customer_credit.customer_credit_aging_item_view_list").id, "list"),
                (self.env.ref("customer_credit.customer_credit_aging_item_view_pivot").id, "pivot"),
                (self.env.ref("customer_credit.customer_credit_aging_item_view_graph").id, "graph"),
            ],
            "search_view_id": self.env.ref(
                "customer_credit.customer_credit_aging_item_view_search"
            ).id,
            "domain": [("report_id", "=", self.id), *domain],
            "context": context,
            "target": "current",
        }

    def action_open_items(self):
        """Every open item of the run."""
        self._ensure_computed()
        return self._action_items([], group_by_bucket=True)

    def action_open_analysis(self):
        """Pivot of the open items by salesperson and bucket (grade, customer in the search)."""
        self._ensure_computed()
        action = self._action_items([], name=self.env._("Aging Analysis"))
        views = action["views"]
        action["views"] = [views[1], views[2], views[0]]
        return action

    def _summary_by_company(self):
        """Totals per company, in its currency: [{company, currency, buckets, total,
        customer_count, item_count}] — the figures shown under the list, the XLSX and
        the PDF share."""
        self._ensure_computed()
        Line = self.env["customer.credit.aging.line"]
        count = len(self.bucket_ids)
        aggregates = [f"{name}:sum" for name in BUCKET_FIELDS[:count]]
        groups = Line._read_group(
            [("report_id", "=", self.id)],
            ["company_id", "currency_id"],
            [*aggregates, "amount_total:sum", "item_count:sum", "__count"],
            order="company_id",
        )
        result = []
        for company, currency, *values in groups:
            result.append(
                {
                    "company": company,
                    "currency": currency,
                    "buckets": list(values[:count]),
                    "total": values[count],
                    "item_count": values[count + 1],
                    "customer_count": values[count + 2],
                }
            )
        return result

    def _options_description(self):
        """(label, value) pairs printed at the top of the XLSX and PDF."""
        self.ensure_one()
        every = self.env._("All")
        basis = dict(self._fields["aging_basis"]._description_selection(self.env))
        return [
            (self.env._("As of"), fields.Date.to_string(self.date_as_of)),
            (self.env._("Companies"), ", ".join(self.company_ids.mapped("name"))),
            (self.env._("Age by"), basis[self.aging_basis]),
            (self.env._("Buckets"), ", ".join(self.bucket_ids.mapped("name"))),
            (
                self.env._("Customers"),
                ", ".join(self.partner_ids.mapped("display_name")) or every,
            ),
            (self.env._("Salespersons"), ", ".join(self.user_ids.mapped("name")) or every),
            (self.env._("Credit Grades"), ", ".join(self.grade_ids.mapped("code")) or every),
            (
                self.env._("Computed on"),
                fields.Datetime.to_string(fields.Datetime.context_timestamp(self, self.computed_on))
                if self.computed_on
                else "",
            ),
        ]

    # ------------------------------------------------------------------ exports

    def action_export_xlsx(self):
        """Download the XLSX (summary and detail sheets)."""
        self._ensure_computed()
        return {
            "type": "ir.actions.act_url",
            "url": f"/customer_credit/aging/{self.id}/xlsx",
            "target": "download",
        }

    def action_print_pdf(self):
        """The PDF summary."""
        self._ensure_computed()
        return self.env.ref("customer_credit.action_report_receivable_aging").report_action(self)

    def _xlsx_filename(self):
        return self.env._(
            "receivable_aging_%(date)s.xlsx", date=fields.Date.to_string(self.date_as_of)
        )

    def _iter_sql_rows(self, query_for_batch):
        """Rows of ``query_for_batch(last_id)`` (which must return the id first and be
        ordered by id), fetched in batches so that memory stays flat."""
        last_id = 0
        while True:
            rows = self.env.execute_query(query_for_batch(last_id))
            if not rows:
                return
            yield from rows
            last_id = rows[-1][0]

    def _summary_rows(self):
        """(company_id, *cells) of the summary sheet, in screen order, cells ready to
        write (see ``write_aging_workbook``): names, labels and casts done in SQL."""
        count = len(self.bucket_ids)
        bucket_columns = SQL(", ").join(
            SQL("%s::float8", SQL.identifier("l", name)) for name in BUCKET_FIELDS[:count]
        )

        def query(last_id):
            return SQL(
                """
                SELECT l.id, l.company_id, rc.name, COALESCE(rp.name, %(no_partner)s),
                       COALESCE(rp.ref, ''), COALESCE(up.name, ''), COALESCE(g.code, ''),
                       CASE WHEN l.credit_hold THEN %(yes)s ELSE %(no)s END,
                       COALESCE(l.credit_limit, 0)::float8, %(bucket_columns)s,
                       l.amount_total::float8, COALESCE(l.days_overdue_max, 0), l.item_count
                  FROM customer_credit_aging_line l
                  JOIN res_company rc ON rc.id = l.company_id
                  LEFT JOIN res_partner rp ON rp.id = l.partner_id
                  LEFT JOIN res_users u ON u.id = l.user_id
                  LEFT JOIN res_partner up ON up.id = u.partner_id
                  LEFT JOIN customer_credit_grade g ON g.id = l.grade_id
                 WHERE l.report_id = %(report_id)s AND l.id > %(last_id)s
                 ORDER BY l.id
                 LIMIT %(limit)s
                """,
                no_partner=self.env._("No Customer"),
                yes=self.env._("Yes"),
                no=self.env._("No"),
                bucket_columns=bucket_columns,
                report_id=self.id,
                last_id=last_id,
                limit=EXPORT_BATCH,
            )

        for row in self._iter_sql_rows(query):
            yield row[1:]

    def _detail_rows(self):
        """(company_id, *cells) of the detail sheet, dates as Excel serial numbers:
        from the item rows if written, else straight from the ledger (see
        ``_detail_rows_from_ledger``)."""
        if not self.items_computed_on:
            yield from self._detail_rows_from_ledger()
            return
        yield from self._detail_rows_from_items()

    def _detail_rows_from_ledger(self):
        """The detail sheet's rows computed by the aging query and read through a
        server-side cursor, EXPORT_BATCH at a time: no item row is written (writing
        then reading 200,000 rows costs ~3 s more). Same options and order as the
        item rows; like them, they reflect the ledger of the moment."""
        buckets = build_buckets(self._bucket_ranges())
        options = self._aging_sql_options(self.bucket_ids.sorted("sequence"), buckets)
        self.env.flush_all()
        cursor = SQL.identifier(f"customer_credit_aging_detail_{self.id}")
        self.env.cr.execute(
            SQL(
                "DECLARE %s NO SCROLL CURSOR FOR %s",
                cursor,
                aging_detail_sql(no_partner=self.env._("No Customer"), **options),
            )
        )
        while True:
            rows = self.env.execute_query(SQL("FETCH FORWARD %s FROM %s", EXPORT_BATCH, cursor))
            if not rows:
                break
            yield from rows
        # (an unfinished cursor dies with the transaction)
        self.env.cr.execute(SQL("CLOSE %s", cursor))

    def _detail_rows_from_items(self):
        """The detail sheet's rows read from the written item rows (keyset batches)."""

        def serial(column):
            # Excel's day 0 of the 1900 date system
            return SQL("(%s - DATE '1899-12-30')", column)

        def query(last_id):
            return SQL(
                """
                SELECT i.id, i.company_id, rc.name, COALESCE(rp.name, %(no_partner)s),
                       i.move_name, %(invoice_date)s, %(date_maturity)s, %(reference_date)s,
                       i.days_overdue, b.name, COALESCE(up.name, ''), COALESCE(g.code, ''),
                       i.amount_original::float8, i.amount_open::float8
                  FROM customer_credit_aging_item i
                  JOIN res_company rc ON rc.id = i.company_id
                  JOIN customer_credit_aging_bucket b ON b.id = i.bucket_id
                  LEFT JOIN res_partner rp ON rp.id = i.partner_id
                  LEFT JOIN res_users u ON u.id = i.user_id
                  LEFT JOIN res_partner up ON up.id = u.partner_id
                  LEFT JOIN customer_credit_grade g ON g.id = i.grade_id
                 WHERE i.report_id = %(report_id)s AND i.id > %(last_id)s
                 ORDER BY i.id
                 LIMIT %(limit)s
                """,
                no_partner=self.env._("No Customer"),
                invoice_date=serial(SQL("i.invoice_date")),
                date_maturity=serial(SQL("i.date_maturity")),
                reference_date=serial(SQL("i.reference_date")),
                report_id=self.id,
                last_id=last_id,
                limit=EXPORT_BATCH,
            )

        for row in self._iter_sql_rows(query):
            yield row[1:]

    def _write_xlsx(self, path):
        """Write the XLSX to ``path`` (xlsxwriter, constant-memory mode)."""
        self._ensure_computed()
        _ = self.env._
        summary = self._summary_by_company()
        companies = {
            block["company"].id: {
                "name": block["company"].name,
                "currency": block["currency"].name,
                "num_format": currency_num_format(
                    block["currency"].symbol,
                    block["currency"].position,
                    block["currency"].decimal_places,
                ),
            }
            for block in summary
        }
        for company in self.company_ids:
            companies.setdefault(
                company.id,
                {
                    "name": company.name,
                    "currency": company.currency_id.name,
                    "num_format": currency_num_format(
                        company.currency_id.symbol,
                        company.currency_id.position,
                        company.currency_id.decimal_places,
                    ),
                },
            )
        bucket_names = self.bucket_ids.mapped("name")
        write_aging_workbook(
            path,
            title=self.name,
            options=self._options_description(),
            companies=companies,
            summary_headers=[
                _("Company"),
                _("Customer"),
                _("Reference"),
                _("Salesperson"),
                _("Grade"),
                _("On Hold"),
                _("Credit Limit"),
                *bucket_names,
                _("Total"),
                _("Oldest (days)"),
                _("Open Items"),
            ],
            summary_rows=self._summary_rows(),
            detail_headers=[
                _("Company"),
                _("Customer"),
                _("Document"),
                _("Invoice Date"),
                _("Due Date"),
                _("Aged From"),
                _("Days"),
                _("Bucket"),
                _("Salesperson"),
                _("Grade"),
                _("Original Amount"),
                _("Open Amount"),
            ],
            detail_rows=self._detail_rows(),
            totals=[
                (block["company"].id, block["buckets"], block["total"], block["item_count"])
                for block in summary
            ],
            labels={
                "summary": _("Summary"),
                "detail": _("Open Items"),
                "total": _("Total %(company)s (%(currency)s)"),
            },
            bucket_count=len(bucket_names),
        )

    def _generate_xlsx(self):
        """The XLSX file content (bytes)."""
        handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="aging_")
        os.close(handle)
        try:
            self._write_xlsx(path)
            with open(path, "rb") as file:
                return file.read()
        finally:
            os.unlink(path)
