from lxml import etree

from odoo import api
from odoo import fields
from odoo import models

from ..tools.aging_buckets import DEFAULT_BUCKET_SPEC
from ..tools.aging_buckets import MAX_BUCKETS
from ..tools.aging_buckets import BucketSpecError
from ..tools.aging_buckets import parse_bucket_spec
from ..tools.aging_result_table import ensure_result_table

BUCKET_FIELDS = tuple(f"bucket_{index}_amount" for index in range(MAX_BUCKETS))
# Context key holding "<basis>:<bucket spec>" of the run shown; ends with _view_ref
# because the web client forwards only those keys (and lang) to get_views.
AGING_COLUMNS_KEY = "aging_columns_view_ref"


class CustomerCreditAgingLine(models.TransientModel):
    """One customer of an aging run: open amounts per bucket, in company currency.

    Rows are written in bulk by SQL (see ``aging_sql``), never created one by one.
    """

    _name = "customer.credit.aging.line"
    _description = "Receivable Aging by Customer"
    _order = "id"
    _auto = False  # table without foreign keys, see aging_result_table
    _log_access = True
    _rec_name = "partner_id"

    report_id = fields.Many2one(
        "customer.credit.aging.report", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True, index=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    grade_id = fields.Many2one("customer.credit.grade", "Credit Grade", readonly=True)
    credit_group_id = fields.Many2one(
        "customer.credit.group", readonly=True, index="btree_not_null"
    )
    credit_limit = fields.Monetary(readonly=True, aggregator="max")
    credit_hold = fields.Boolean("On Hold", readonly=True)
    bucket_0_amount = fields.Monetary("Bucket 1", readonly=True)
    bucket_1_amount = fields.Monetary("Bucket 2", readonly=True)
    bucket_2_amount = fields.Monetary("Bucket 3", readonly=True)
    bucket_3_amount = fields.Monetary("Bucket 4", readonly=True)
    bucket_4_amount = fields.Monetary("Bucket 5", readonly=True)
    bucket_5_amount = fields.Monetary("Bucket 6", readonly=True)
    bucket_6_amount = fields.Monetary("Bucket 7", readonly=True)
    bucket_7_amount = fields.Monetary("Bucket 8", readonly=True)
    bucket_8_amount = fields.Monetary("Bucket 9", readonly=True)
    bucket_9_amount = fields.Monetary("Bucket 10", readonly=True)
    amount_total = fields.Monetary("Total Open", readonly=True)
    days_overdue_max = fields.Integer(
        "Oldest Overdue (days)",
        readonly=True,
        aggregator="max",
        help="Days overdue of the oldest open debt; 0 when nothing is overdue.",
    )
    item_count = fields.Integer("Open Items", readonly=True)

    def init(self):
        # logged: the downloads read the customer rows on a replica
        ensure_result_table(self, logged=True)

    # The web client sends get_views only the ``lang`` and ``*_view_ref`` keys of the
    # context and caches its answer on them (``view_service.js``); the server caches the
    # arch on the same keys (``_get_view_cache_key``). The run's buckets therefore travel
    # in ``AGING_COLUMNS_KEY``, set by the summary action, and the column titles and
    # the columns shown follow them in the list, pivot and graph.

    @api.model
    def _aging_column_labels(self):
        """Titles of the bucket columns of the run in the context ("Not due", "1–30",
        ..., "121+"); without one, those of the default buckets, by due date."""
        basis, spec = "due", DEFAULT_BUCKET_SPEC
        columns = self.env.context.get(AGING_COLUMNS_KEY)
        if isinstance(columns, str) and ":" in columns:
            basis, spec = columns.split(":", 1)
        elif self.env.context.get("aging_report_id"):
            report = self.env["customer.credit.aging.report"].browse(
                self.env.context["aging_report_id"]
            )
            if report.exists():
                basis, spec = report.aging_basis, report.bucket_spec
        try:
            ranges = parse_bucket_spec(spec)
        except BucketSpecError:
            ranges = parse_bucket_spec(DEFAULT_BUCKET_SPEC)
        return self.env["customer.credit.aging.engine"]._bucket_labels(ranges, basis)

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """Title the bucket columns after their range (see ``_aging_column_labels``)."""
        res = super().fields_get(allfields, attributes)
        if any(name in res and "string" in res[name] for name in BUCKET_FIELDS):
            labels = self._aging_column_labels()
            for name, label in zip(BUCKET_FIELDS, labels, strict=False):
                if name in res and "string" in res[name]:
                    res[name]["string"] = label
        return res

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """Hide the bucket columns the run does not have from the list, the pivot's
        measures and the graph's measure menu."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type in ("list", "pivot", "graph"):
            # only what the view cache key holds (AGING_COLUMNS_KEY), never the run's id
            count = len(self.with_context(aging_report_id=False)._aging_column_labels())
            for name in BUCKET_FIELDS[count:]:
                nodes = arch.xpath(f"//field[@name='{name}']")
                if not nodes and view_type == "graph":
                    nodes = [etree.SubElement(arch, "field", name=name)]
                for node in nodes:
                    node.attrib.pop("type", None)
                    node.set("column_invisible" if view_type == "list" else "invisible", "1")
        return arch, view

    def _bucket_amounts(self):
        """Open amounts of this row, one per bucket of its run, in column order."""
        self.ensure_one()
        return [self[BUCKET_FIELDS[b.sequence]] for b in self.report_id.bucket_ids]

    def action_open_items(self):
        """Drill down: the open items behind this customer's figures, by bucket."""
        self.ensure_one()
        return self.report_id._action_items(
            [("partner_id", "=", self.partner_id.id), ("company_id", "=", self.company_id.id)],
            name=self.partner_id.display_name or self.env._("No Customer"),
            group_by_bucket=True,
        )

    def action_open_bucket(self):
        """Drill down from one figure: the items of this customer in the bucket
        given by ``aging_bucket_index`` in the context."""
        self.ensure_one()
        index = int(self.env.context.get("aging_bucket_index", 0))
        bucket = self.report_id.bucket_ids.filtered(lambda b: b.sequence == index)
        return self.report_id._action_items(
            [
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
                ("bucket_id", "=", bucket.id),
            ],
            name=f"{self.partner_id.display_name or ''} · {bucket.name}",
        )

    def action_open_move_lines(self):
        """The journal items open at the run's date for this customer."""
        self.ensure_one()
        self.report_id._ensure_items()
        items = self.report_id.item_ids.filtered(
            lambda i: i.partner_id == self.partner_id and i.company_id == self.company_id
        )
        return items.action_open_move_lines()

    # Header buttons of the summary list work with or without a selection.
    def _report_from_context(self):
        report = self.report_id[:1]
        if not report and self.env.context.get("aging_report_id"):
            report = self.env["customer.credit.aging.report"].browse(
                self.env.context["aging_report_id"]
            )
        return report

    def action_export_xlsx(self):
        return self._report_from_context().action_export_xlsx()

    def action_print_pdf(self):
        return self._report_from_context().action_print_pdf()

    def action_open_analysis(self):
        return self._report_from_context().action_open_analysis()
