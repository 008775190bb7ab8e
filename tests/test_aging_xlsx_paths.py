import datetime
import logging
import os
import tempfile
from unittest.mock import patch

import openpyxl
import xlsxwriter

from odoo.tests import BaseCase
from odoo.tests import tagged

from ..reports import aging_xlsx
from ..reports.aging_xlsx import DATE
from ..reports.aging_xlsx import INT
from ..reports.aging_xlsx import NUM
from ..reports.aging_xlsx import STR
from ..reports.aging_xlsx import StreamingWorksheet
from ..reports.aging_xlsx import excel_serial
from ..reports.aging_xlsx import fast_path_supported

ROWS = [
    ("Orbit Holding", 1234.5, 3, excel_serial(datetime.date(2026, 1, 31))),
    ("  spaced <&> _x0041_ 客户", -0.01, 0, None),
    ("", 1e-7, 12, excel_serial(datetime.date(2025, 12, 1))),
    (None, None, None, None),
    ("Tab\tand control \x01", 99999999.99, 7, excel_serial(datetime.date(2026, 11, 29))),
    # rows copied from the database: every value a text (see tools/sql_stream.py)
    ("Plain row", "1234.5", "3", str(excel_serial(datetime.date(2026, 1, 31)))),
    ("Pipe | inside", "-0.01", "0", ""),
    ("ends with a space ", "1e-07", "12", ""),
    ("<escaped> & _x0041_", "2", "1", ""),
    ("", "", "", ""),
]


@tagged("post_install", "-at_install")
class TestAgingXlsxPaths(BaseCase):
    """The fast row writer runs only on the xlsxwriter it is tested with; elsewhere the
    public cell API writes the same cells."""

    def _write(self):
        handle, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        self.addCleanup(os.remove, path)
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
        money = workbook.add_format({"num_format": "#,##0.00"})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet = workbook.add_worksheet("Detail", worksheet_class=StreamingWorksheet)
        sheet.write_string(0, 0, "Customer")
        columns = [(STR, None), (NUM, money), (INT, None), (DATE, day)]
        next_row = sheet.write_rows(1, columns, ROWS)
        sheet.write_string(next_row, 0, "Total")
        workbook.close()
        book = openpyxl.load_workbook(path)
        return [
            tuple(cell.value for cell in row)
            for row in book["Detail"].iter_rows(min_row=1, max_row=len(ROWS) + 2, max_col=4)
        ]

    def test_fast_path_and_public_api_write_the_same_cells(self):
        self.assertIn(xlsxwriter.__version__, aging_xlsx.FAST_PATH_VERSIONS)
        fast = self._write()
        with (
            patch.object(aging_xlsx, "FAST_PATH_VERSIONS", frozenset({"0.0.0"})),
            self.assertLogs("odoo.addons.customer_credit.reports.aging_xlsx", logging.INFO) as logs,
        ):
            public = self._write()
        self.assertIn("cell API", logs.output[0])
        self.assertEqual(fast, public)
        self.assertEqual(fast[0][0], "Customer")
        self.assertEqual(fast[1][:3], ("Orbit Holding", 1234.5, 3))
        self.assertEqual(fast[1][3], datetime.datetime(2026, 1, 31))
        # openpyxl does not undo Excel's own _x005F_ escape (Excel shows "_x0041_")
        self.assertEqual(fast[2][0], "  spaced <&> _x005F_x0041_ 客户")
        self.assertEqual(fast[4], (None, None, None, None))
        # text rows: written as is when nothing needs care, else cell by cell
        self.assertEqual(fast[6], ("Plain row", 1234.5, 3, datetime.datetime(2026, 1, 31)))
        self.assertEqual(fast[7], ("Pipe | inside", -0.01, 0, None))
        self.assertEqual(fast[8], ("ends with a space ", 1e-07, 12, None))
        self.assertEqual(fast[9], ("<escaped> & _x005F_x0041_", 2, 1, None))
        self.assertEqual(fast[10], (None, None, None, None))
        self.assertEqual(fast[len(ROWS) + 1][0], "Total")

    def test_fast_path_needs_the_tested_version(self):
        workbook = xlsxwriter.Workbook(os.devnull, {"constant_memory": True})
        sheet = workbook.add_worksheet(worksheet_class=StreamingWorksheet)
        self.assertTrue(fast_path_supported(sheet))
        with patch.object(aging_xlsx, "FAST_PATH_VERSIONS", frozenset()):
            self.assertFalse(fast_path_supported(sheet))
        sheet.constant_memory = False
        self.assertFalse(fast_path_supported(sheet))
        sheet.constant_memory = True
        workbook.close()


@tagged("post_install", "-at_install")
class TestAgingXlsxSheetLimit(BaseCase):
    """A detail larger than an Excel sheet goes on to "Open Items (2)", ... (Excel opens
    no sheet of more than 1,048,576 rows: 2.2 million items on a 10M-line ledger)."""

    def test_detail_continues_on_new_sheets_with_the_totals_under_the_last(self):
        self.assertEqual(aging_xlsx.EXCEL_MAX_ROWS, 1_048_576)
        handle, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        self.addCleanup(os.remove, path)
        serial = excel_serial(datetime.date(2026, 11, 1))
        detail = [
            (
                company,
                f"Company {company}",
                f"Customer {n}",
                f"INV/{n}",
                serial,
                serial,
                serial,
                n,
                "1-30",
                "",
                "",
                float(n),
                float(n),
            )
            for company in (1, 2)
            for n in range(1, 11 if company == 1 else 8)
        ]
        companies = {
            cid: {"name": f"Company {cid}", "currency": "USD", "num_format": "#,##0.00"}
            for cid in (1, 2)
        }
        aging_xlsx.write_aging_workbook(
            path,
            "Aging",
            [("As of", "2026-11-30")],
            companies,
            [
                "Company",
                "Customer",
                "Ref",
                "Salesperson",
                "Grade",
                "Hold",
                "Limit",
                "B1",
                "Total",
                "Days",
                "Items",
            ],
            [(1, "Company 1", "Customer 1", "", "", "", "", 0.0, 55.0, 55.0, 3, 10)],
            [
                "Company",
                "Customer",
                "Document",
                "Invoice Date",
                "Due Date",
                "Aged From",
                "Days",
                "Bucket",
                "Salesperson",
                "Grade",
                "Original",
                "Open",
            ],
            iter(detail),
            [("Total Company 1", 1, [55.0], 55.0, 10), ("Total Company 2", 2, [28.0], 28.0, 7)],
            {"summary": "Summary", "detail": "Open Items"},
            1,
            max_rows=12,  # title, option, blank, header: 8 data rows minus 2 for the totals
        )
        book = openpyxl.load_workbook(path)
        names = [name for name in book.sheetnames if name.startswith("Open Items")]
        self.assertEqual(names, ["Open Items", "Open Items (2)", "Open Items (3)"])
        documents, totals = [], []
        for name in names:
            sheet = book[name]
            self.assertLessEqual(sheet.max_row, 12)
            self.assertEqual(sheet.cell(4, 3).value, "Document")  # every sheet has the header
            for row in sheet.iter_rows(min_row=5, values_only=True):
                if row[0] and str(row[0]).startswith("Total"):
                    totals.append((name, row[0], row[11]))
                elif row[2]:
                    documents.append(row[2])
        self.assertEqual(documents, [values[3] for values in detail])
        self.assertEqual(
            totals,
            [
                ("Open Items (3)", "Total Company 1", 55.0),
                ("Open Items (3)", "Total Company 2", 28.0),
            ],
        )
