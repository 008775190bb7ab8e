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
        self.assertEqual(fast[6][0], "Total")

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
