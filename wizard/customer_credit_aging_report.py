"""Receivable aging: the options of a run (the form), its checks, its actions.

The run itself is in ``models/customer_credit_aging_engine.py`` (as-of SQL, result
rows, items, streaming) and the XLSX export in ``reports/customer_credit_aging_xlsx.py``.

The record is the options form; ``action_compute`` writes its results (buckets,
one row per customer and company, in one SQL statement) and opens them. The rows
of the open items behind the figures are written on first use (drill-down,
analysis), by one SQL statement from the same options (the XLSX detail sheet
streams the same query without writing them, unless they exist): they
reflect the ledger at the moment they are first opened (``items_computed_on``),
which can differ from the summary's if entries were posted or matched in
between. Results are transient: they live as long as the options record.
"""

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from ..models.customer_credit_aging_line import AGING_COLUMNS_KEY
from ..models.customer_credit_aging_line import BUCKET_FIELDS
from ..tools.aging_buckets import DEFAULT_BUCKET_SPEC
from ..tools.aging_buckets import BucketSpecError
from ..tools.aging_buckets import parse_bucket_spec


class CustomerCreditAgingReport(models.TransientModel):
    _name = "customer.credit.aging.report"
    _inherit = ["customer.credit.aging.engine", "customer.credit.aging.xlsx"]
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
            AGING_COLUMNS_KEY: f"{self.aging_basis}:{self.bucket_spec}",
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

    def _summary_total_rows(self, summary=None):
        """The total rows under the XLSX and PDF summaries: one per company block, then,
        for a currency shared by several companies, their grand total in it. Each is
        {label, company (its number format), currency, buckets, total, item_count}."""
        summary = self._summary_by_company() if summary is None else summary
        rows = []
        by_currency = {}
        for block in summary:
            rows.append(
                {
                    **block,
                    "label": self.env._(
                        "Total %(company)s (%(currency)s)",
                        company=block["company"].name,
                        currency=block["currency"].name,
                    ),
                }
            )
            by_currency.setdefault(block["currency"], []).append(block)
        for currency, blocks in by_currency.items():
            if len(blocks) < 2:
                continue
            rows.append(
                {
                    "label": self.env._("Grand Total (%(currency)s)", currency=currency.name),
                    "company": blocks[0]["company"],
                    "currency": currency,
                    "buckets": [sum(amounts) for amounts in zip(*(b["buckets"] for b in blocks))],
                    "total": sum(b["total"] for b in blocks),
                    "item_count": sum(b["item_count"] for b in blocks),
                    "customer_count": sum(b["customer_count"] for b in blocks),
                }
            )
        return rows

    def _bucket_column_labels(self):
        """Titles of the bucket columns of the XLSX and PDF (see ``_bucket_labels``)."""
        self.ensure_one()
        return self._bucket_labels(self._bucket_ranges(), self.aging_basis)

    def _options_description(self):
        """(label, value) pairs printed at the top of the XLSX and PDF."""
        self.ensure_one()
        every = self.env._("All")
        basis = dict(self._fields["aging_basis"]._description_selection(self.env))
        return [
            (self.env._("As of"), fields.Date.to_string(self.date_as_of)),
            (self.env._("Companies"), ", ".join(self.company_ids.mapped("name"))),
            (self.env._("Age by"), basis[self.aging_basis]),
            (self.env._("Buckets"), ", ".join(self._bucket_column_labels())),
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
