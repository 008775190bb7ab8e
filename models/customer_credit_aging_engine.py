"""Receivable aging engine: runs the as-of SQL of a report's options, writes its result
rows and items, and streams them for exports (the options live in the wizard
``customer.credit.aging.report``, which inherits this model)."""

import logging
import re

from odoo import fields
from odoo import models
from odoo.tools import SQL

from ..tools.aging_buckets import DEFAULT_BUCKET_SPEC
from ..tools.aging_buckets import build_buckets
from ..tools.aging_buckets import parse_bucket_spec
from ..tools.aging_sql import aging_bucket_totals_sql
from ..tools.aging_sql import aging_detail_sql
from ..tools.aging_sql import aging_items_sql
from ..tools.aging_sql import aging_summary_sql
from ..tools.aging_sql import later_matches_sql
from ..tools.aging_sql import sums_from_ledger
from ..tools.sql_settings import local_setting
from ..tools.sql_settings import parallel_statement
from ..tools.sql_settings import whole_ledger_statement
from ..tools.sql_stream import copy_rows
from .customer_credit_aging_line import BUCKET_FIELDS

_logger = logging.getLogger(__name__)

# PostgreSQL memory per sort or hash of the statements over every open item (per
# process where they run in parallel, and twice that for a hash by default: one export
# may use a few of them at once): up to ~2M open items, the summary's sums and the
# detail's journal items and sort stay in memory instead of spilling to disk (10M-line
# bench ledger: detail 25 s instead of 33 s; docs/benchmarks.md). The system parameter
# ``customer_credit.aging_work_mem`` changes it ("0": PostgreSQL's own setting).
AGING_WORK_MEM = "256MB"
AGING_WORK_MEM_PARAM = "customer_credit.aging_work_mem"
_WORK_MEM_RE = re.compile(r"[1-9][0-9]*(kB|MB|GB)")


class CustomerCreditAgingEngine(models.AbstractModel):
    _name = "customer.credit.aging.engine"
    _description = "Receivable Aging Engine"

    def _bucket_labels(self, ranges, basis):
        """Column titles of the buckets of ``ranges`` (see ``parse_bucket_spec``), in
        the language of the context: "Not due", "1–30", ..., "121+". The one source of
        the titles of the list, pivot, graph, XLSX and PDF."""
        _ = self.env._
        labels = []
        for bucket in build_buckets(ranges):
            if bucket.days_from is None:
                labels.append(_("Not due") if basis == "due" else _("Current"))
            elif bucket.days_to is None:
                labels.append(_("%(first)s+", first=bucket.days_from))
            elif bucket.days_from == bucket.days_to:
                labels.append(_("Day %(day)s", day=bucket.days_from))
            else:
                labels.append(_("%(first)s–%(last)s", first=bucket.days_from, last=bucket.days_to))
        return labels

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

    def _aging_bucket_totals(
        self, as_of, company, partner_ids, basis="due", bucket_spec=DEFAULT_BUCKET_SPEC
    ):
        """The aging of each of ``partner_ids`` (commercial partners) in ``company`` at
        ``as_of``, computed without writing anything (the statement's footer):
        {partner_id: ([(label, amount)] per bucket in column order, total)}. Same open
        items and buckets as a run with these options."""
        ranges = parse_bucket_spec(bucket_spec)
        buckets = build_buckets(ranges)
        labels = self._bucket_labels(ranges, basis)
        # the fallback limit/grade/hold only serve the grade filter: not used here
        fallbacks = {company.id: (0.0, None, False)}
        self.env.flush_all()
        whole_ledger_statement(self.env.cr)
        rows = self.env.execute_query(
            aging_bucket_totals_sql(
                as_of=as_of,
                company_ids=[company.id],
                basis=basis,
                buckets=[(b.index, b.days_from, b.days_to) for b in buckets],
                fallbacks=fallbacks,
                partner_ids=list(partner_ids),
                later_matches=self._later_matches(as_of),
            )
        )
        amounts = {pid: dict.fromkeys(range(len(buckets)), 0.0) for pid in partner_ids}
        for partner_id, index, amount in rows:
            amounts[partner_id][index] += amount or 0.0
        round_ = company.currency_id.round
        return {
            pid: (
                [(label, round_(by_bucket[b.index])) for b, label in zip(buckets, labels)],
                round_(sum(by_bucket.values())),
            )
            for pid, by_bucket in amounts.items()
        }

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
        ranges = self._bucket_ranges()
        buckets = build_buckets(ranges)
        labels = self._bucket_labels(ranges, self.aging_basis)
        # the run's results are not the user's to write (read-only for credit users)
        bucket_records = (
            self.env["customer.credit.aging.bucket"]
            .sudo()
            .create(
                [
                    {
                        "report_id": self.id,
                        "sequence": bucket.index,
                        "name": label,
                        "days_from": bucket.days_from or 0,
                        "days_to": bucket.days_to or 0,
                        "has_days_from": bucket.days_from is not None,
                        "has_days_to": bucket.days_to is not None,
                    }
                    for bucket, label in zip(buckets, labels, strict=True)
                ]
            )
        )
        self.env.flush_all()
        whole_ledger_statement(self.env.cr)
        # In parallel: the sums are a CREATE TABLE AS, which PostgreSQL may share among
        # workers, but at its default costs it keeps to one process (10M-line bench:
        # ~7.4 s in parallel against ~10.5 s). Each worker may use ``work_mem`` too.
        # From the exposure ledger, the items stream in customer order (no hashing).
        options = self._aging_sql_options(bucket_records, buckets)
        summary = aging_summary_sql(**options)
        streamed = sums_from_ledger(
            options["user_ids"], options["grade_ids"], options["later_matches"]
        )
        with (
            local_setting(self.env.cr, "work_mem", self._aging_work_mem()),
            local_setting(self.env.cr, "enable_hashagg", "off" if streamed else None),
            parallel_statement(self.env.cr),
        ):
            self.env.cr.execute(summary)
        self.env["customer.credit.aging.line"].invalidate_model()
        self.invalidate_recordset(["line_ids", "item_ids"])
        self.write(
            {"state": "done", "computed_on": fields.Datetime.now(), "items_computed_on": False}
        )

    def _aging_work_mem(self):
        """``work_mem`` of the statements over every open item (see AGING_WORK_MEM):
        the system parameter if it is a size such as "512MB", None for "0" (PostgreSQL's
        own setting), else the default, with a warning in the log."""
        value = (
            self.env["ir.config_parameter"].sudo().get_param(AGING_WORK_MEM_PARAM) or ""
        ).strip()
        if not value:
            return AGING_WORK_MEM
        if value == "0":
            return None
        if not _WORK_MEM_RE.fullmatch(value):
            _logger.warning(
                "System parameter %s: %r is not a size such as 256MB; using %s.",
                AGING_WORK_MEM_PARAM,
                value,
                AGING_WORK_MEM,
            )
            return AGING_WORK_MEM
        return value

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
            "later_matches": self._later_matches(self.date_as_of),
        }

    def _later_matches(self, as_of):
        """Whether a partial reconciliation took effect after ``as_of`` (as of today,
        usually none: the aging then reads the open lines alone)."""
        self.env["account.partial.reconcile"].flush_model(["max_date"])
        return self.env.execute_query(later_matches_sql(as_of))[0][0]

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
        whole_ledger_statement(self.env.cr)
        self.env.cr.execute(aging_items_sql(**self._aging_sql_options(bucket_records, buckets)))
        self.env["customer.credit.aging.item"].invalidate_model()
        self.invalidate_recordset(["item_ids"])
        self.write({"items_computed_on": fields.Datetime.now()})

    def _copy_rows(self, query, work_mem=None):
        """Rows of ``query``, whose first column is the company id, as (company_id,
        *cells), cells as text ('' for NULL; see ``tools.sql_stream.copy_rows``: one
        statement, parallel where PostgreSQL sees fit, memory flat)."""
        self.env.flush_all()
        for row in copy_rows(self.env.cr, query, work_mem):
            row[0] = int(row[0])
            yield row

    def _summary_rows(self):
        """(company_id, *cells) of the summary sheet, in screen order, cells ready to
        write (see ``write_aging_workbook``): names, labels and casts done in SQL."""
        count = len(self.bucket_ids)
        bucket_columns = SQL(", ").join(
            SQL("%s::float8", SQL.identifier("l", name)) for name in BUCKET_FIELDS[:count]
        )
        return self._copy_rows(
            SQL(
                """
                SELECT l.company_id, rc.name, COALESCE(rp.name, %(no_partner)s),
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
                 WHERE l.report_id = %(report_id)s
                 ORDER BY l.id
                """,
                no_partner=self.env._("No Customer"),
                yes=self.env._("Yes"),
                no=self.env._("No"),
                bucket_columns=bucket_columns,
                report_id=self.id,
            )
        )

    def _detail_rows(self):
        """(company_id, *cells) of the detail sheet, dates as Excel serial numbers:
        from the item rows if written, else straight from the ledger (see
        ``_detail_rows_from_ledger``). A read-only transaction (a replica's, which
        cannot read the unlogged item rows) reads the ledger."""
        if not self.items_computed_on or self.env.cr.readonly:
            return self._detail_rows_from_ledger()
        return self._detail_rows_from_items()

    def _detail_rows_from_ledger(self):
        """The detail sheet's rows computed by the aging query, without writing the
        item rows (writing then reading 200,000 rows costs ~3 s more). Same options
        and order as the item rows; like them, they reflect the ledger of the moment."""
        buckets = build_buckets(self._bucket_ranges())
        bucket_records = self.bucket_ids.sorted("sequence")
        options = self._aging_sql_options(bucket_records, buckets)
        whole_ledger_statement(self.env.cr)
        return self._copy_rows(
            aging_detail_sql(
                no_partner=self.env._("No Customer"),
                bucket_labels={record.id: record.name for record in bucket_records},
                **options,
            ),
            work_mem=self._aging_work_mem(),
        )

    def _detail_rows_from_items(self):
        """The detail sheet's rows read from the written item rows."""

        def serial(column):
            # Excel's day 0 of the 1900 date system
            return SQL("(%s - DATE '1899-12-30')", column)

        return self._copy_rows(
            SQL(
                """
                SELECT i.company_id, rc.name, COALESCE(rp.name, %(no_partner)s),
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
                 WHERE i.report_id = %(report_id)s
                 ORDER BY i.id
                """,
                no_partner=self.env._("No Customer"),
                invoice_date=serial(SQL("i.invoice_date")),
                date_maturity=serial(SQL("i.date_maturity")),
                reference_date=serial(SQL("i.reference_date")),
                report_id=self.id,
            )
        )
