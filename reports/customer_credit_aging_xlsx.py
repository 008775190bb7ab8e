"""Receivable aging XLSX export of a report run (the workbook writer itself, with no
ORM, is ``aging_xlsx.py``)."""

import os
import tempfile

from odoo import models

from .aging_xlsx import currency_num_format
from .aging_xlsx import write_aging_workbook


class CustomerCreditAgingXlsx(models.AbstractModel):
    _name = "customer.credit.aging.xlsx"
    _description = "Receivable Aging XLSX Export"

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
        bucket_names = self._bucket_column_labels()
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
                (
                    total["label"],
                    total["company"].id,
                    total["buckets"],
                    total["total"],
                    total["item_count"],
                )
                for total in self._summary_total_rows(summary)
            ],
            labels={"summary": _("Summary"), "detail": _("Open Items")},
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
