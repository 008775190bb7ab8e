"""Receivable aging XLSX writer (xlsxwriter, constant-memory mode; no ORM).

Rows arrive as iterables and are written in order, so memory stays flat whatever
the number of customers. Amounts are in each company's currency (one number
format per company); totals rows are per company, never across currencies.

Speed: xlsxwriter's cell API costs about 20 µs per cell (type dispatch, a cell
object, attribute escaping per cell), i.e. a minute for the 2.6 million cells of
a 200,000-item detail sheet. :class:`StreamingWorksheet` adds ``write_rows``,
which in constant-memory mode writes each row's XML straight into the
worksheet's own row file (the file xlsxwriter streams rows to in that mode),
with the column layout and formats resolved once per block instead of once per
cell. The workbook, formats, frozen panes, autofilter and totals still go
through xlsxwriter's public API.
"""

import itertools
import logging
import re

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

_logger = logging.getLogger(__name__)

# The fast path writes into xlsxwriter's own row file through private attributes: only
# on the versions it is tested with; elsewhere the public cell API writes the same cells.
FAST_PATH_VERSIONS = frozenset({"3.1.9"})
FAST_PATH_ATTRIBUTES = ("fh", "previous_row", "_write_single_row", "_check_dimensions")


def fast_path_supported(worksheet):
    """True when ``write_rows`` may write rows straight into the worksheet's row file."""
    return (
        xlsxwriter.__version__ in FAST_PATH_VERSIONS
        and worksheet.constant_memory
        and all(hasattr(worksheet, name) for name in FAST_PATH_ATTRIBUTES)
    )


# Rows of an Excel worksheet (Excel opens no larger sheet).
EXCEL_MAX_ROWS = 1_048_576

# Cell kinds of ``StreamingWorksheet.write_rows`` columns.
STR = "str"  # text
NUM = "num"  # float (amounts)
INT = "int"  # integer
DATE = "date"  # Excel serial day number (integer), shown with a date format

# Characters that need escaping in an inline string (XML specials, control
# characters, Excel's own _xHHHH_ escapes, non-characters).
_SPECIAL_RE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_ESCAPED_RE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL_RE = re.compile(r"([\x00-\x08\x0b-\x1f])")
XLS_STRMAX = 32767


def _escape_text(text):
    """``text`` as xlsxwriter writes an inline string (same escapes)."""
    text = _ESCAPED_RE.sub(r"_x005F\1", text)
    text = _CONTROL_RE.sub(lambda match: "_x%04X_" % ord(match.group(1)), text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Rows joined before one write to the row file.
WRITE_BLOCK = 1000

# A row needs its cells checked one by one (escapes, xml:space, length) when the text of
# its values joined by "|" holds an XML special, a control character, a whitespace other
# than the plain space, an Excel escape ("_x"), or a space at the start or end of a
# value. Cheap tests on the joined text rather than one regular expression with
# alternatives, which cost 6 µs a row (a third of the writing of 2.2M rows). A false
# alarm (a "|" inside a value) only sends the row to the careful path.
_CAREFUL_CHAR_RE = re.compile(
    "[&<>\x00-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufffe\uffff]"
)


def _plain_row(values):
    """True when every value of the row is a text that goes into its cell as is."""
    try:
        joined = "|".join(values)
    except TypeError:  # a value that is not a text (None, a Python number)
        return False
    return not (
        "_x" in joined
        or "| " in joined
        or " |" in joined
        or joined[:1] == " "
        or joined[-1:] == " "
        or len(joined) > XLS_STRMAX
        or _CAREFUL_CHAR_RE.search(joined)
    )


def _cells_checked(specs, number, values):
    """The cells of a row, each value checked and written as xlsxwriter would."""
    parts = []
    append = parts.append
    for (kind, start, middle, end), value in zip(specs, values):
        if value is None or value == "":
            continue
        if kind == STR:
            if len(value) > XLS_STRMAX:
                value = value[:XLS_STRMAX]
            if _SPECIAL_RE.search(value):
                value = _escape_text(value)
            if value[0].isspace() or value[-1].isspace():
                middle = middle.replace("<t>", '<t xml:space="preserve">')
            append(f"{start}{number}{middle}{value}{end}")
        elif value.__class__ is str:  # a number as PostgreSQL writes it
            append(f"{start}{number}{middle}{value}{end}")
        elif kind == NUM:
            append(f"{start}{number}{middle}{float(value):.16G}{end}")
        else:
            append(f"{start}{number}{middle}{int(value)}{end}")
    return "".join(parts)


def excel_serial(day):
    """Excel (1900 system) serial number of a ``datetime.date``."""
    return day.toordinal() - 693594


class StreamingWorksheet(Worksheet):
    """A worksheet that writes blocks of rows fast (see the module docstring)."""

    def write_rows(self, first_row, columns, rows):
        """Write ``rows`` (tuples of cell values) from ``first_row`` down, column 0
        onwards; ``columns`` is [(kind, cell_format or None)] in column order.
        None and "" leave a cell empty. A number may come as Python number or as the
        text PostgreSQL writes for a float8 or integer column (rows copied from the
        database, see ``tools/sql_stream.py``): that text goes into the cell as is, so
        it must come from a column of a numeric SQL type. Returns the next free row."""
        if not fast_path_supported(self):
            if self.constant_memory:
                _logger.info(
                    "Aging XLSX written through xlsxwriter's cell API: the fast path is "
                    "tested with xlsxwriter %s, this is %s.",
                    ", ".join(sorted(FAST_PATH_VERSIONS)),
                    xlsxwriter.__version__,
                )
            return self._write_rows_api(first_row, columns, rows)
        specs = []  # (kind, '<c r="B', '" s="3" t="inlineStr"><is><t>', '</t></is></c>')
        for col, (kind, cell_format) in enumerate(columns):
            style = f' s="{cell_format._get_xf_index()}"' if cell_format else ""
            if kind == STR:
                middle, end = f'"{style} t="inlineStr"><is><t>', "</t></is></c>"
            else:
                middle, end = f'"{style}><v>', "</v></c>"
            specs.append((kind, f'<c r="{xl_col_to_name(col)}', middle, end))
        # Flush the row xlsxwriter may still buffer (e.g. a header) before ours.
        self._write_single_row(first_row)
        self._check_dimensions(first_row, 0)
        write = self.fh.write
        plain = _plain_row
        row = first_row
        block = []
        for values in rows:
            number = row + 1
            if plain(values):
                # every cell a text written as is: one f-string per cell
                cells = "".join(
                    [
                        f"{start}{number}{middle}{value}{end}"
                        for (_kind, start, middle, end), value in zip(specs, values)
                        if value
                    ]
                )
            else:
                cells = _cells_checked(specs, number, values)
            block.append(f'<row r="{number}">{cells}</row>')
            row += 1
            if len(block) == WRITE_BLOCK:
                write("".join(block))
                block.clear()
        write("".join(block))
        if row > first_row:
            self._check_dimensions(row - 1, len(columns) - 1)
        # Rows before ``row`` are written: xlsxwriter buffers from there on.
        self.previous_row = row
        return row

    def _write_rows_api(self, row, columns, rows):
        """Same result through the cell API (when not in constant-memory mode)."""
        for values in rows:
            for col, ((kind, cell_format), value) in enumerate(zip(columns, values)):
                if value is None or value == "":
                    continue
                if kind == STR:
                    self.write_string(row, col, value, cell_format)
                else:
                    self.write_number(row, col, float(value), cell_format)
            row += 1
        return row


def currency_num_format(symbol, position, decimal_places):
    """Excel number format showing ``symbol`` before or after the amount."""
    decimals = "0" * int(decimal_places or 0)
    number = "#,##0" + (f".{decimals}" if decimals else "")
    quoted = '"{}"'.format((symbol or "").replace('"', '""'))
    if position == "after":
        core = f"{number}\\ {quoted}"
    else:
        core = f"{quoted}\\ {number}"
    negative = core.replace(number, f"-{number}", 1)
    return f"{core};{negative}"


def write_aging_workbook(
    path,
    title,
    options,
    companies,
    summary_headers,
    summary_rows,
    detail_headers,
    detail_rows,
    totals,
    labels,
    bucket_count,
    max_rows=None,
):
    """Write the workbook to ``path``.

    ``companies`` maps company id to {name, currency, num_format}. Rows come
    grouped by company, as (company_id, *cells): ``summary_rows`` cells are
    (company, customer, ref, salesperson, grade, hold label, credit_limit,
    *bucket amounts, total, days_max, item_count); ``detail_rows`` cells are
    (company, customer, document, invoice_date, due_date, aged_from, days,
    bucket, salesperson, grade, original, open), dates as Excel serial numbers
    (see :func:`excel_serial`). ``totals`` is [(label, company_id, bucket amounts,
    total, item_count)]: the rows under both sheets, in the company's number format.
    The detail goes on as many sheets as it needs ("Open Items", "Open Items (2)", ...):
    Excel opens no sheet of more than ``max_rows`` rows (default: Excel's 1,048,576;
    2.2 million open items on a 10M-line ledger); the totals are under the last one.
    """
    max_rows = max_rows or EXCEL_MAX_ROWS
    workbook = xlsxwriter.Workbook(
        path, {"constant_memory": True, "default_date_format": "yyyy-mm-dd"}
    )
    try:
        bold = workbook.add_format({"bold": True})
        title_fmt = workbook.add_format({"bold": True, "font_size": 14})
        header_fmt = workbook.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True}
        )
        date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
        money = {}
        money_total = {}
        for company_id, company in companies.items():
            money[company_id] = workbook.add_format({"num_format": company["num_format"]})
            money_total[company_id] = workbook.add_format(
                {"num_format": company["num_format"], "bold": True, "top": 1}
            )
        total_label_fmt = workbook.add_format({"bold": True, "top": 1})

        def write_top(sheet):
            sheet.write(0, 0, title, title_fmt)
            for row, (label, value) in enumerate(options, start=1):
                sheet.write(row, 0, label, bold)
                sheet.write(row, 1, value)
            return len(options) + 2  # one blank row before the header

        # ---- summary sheet
        sheet = workbook.add_worksheet(labels["summary"][:31], worksheet_class=StreamingWorksheet)
        header_row = write_top(sheet)
        sheet.set_column(0, 0, 18)
        sheet.set_column(1, 1, 32)
        sheet.set_column(2, 5, 12)
        sheet.set_column(6, 7 + bucket_count + 1, 15)
        sheet.write_row(header_row, 0, summary_headers, header_fmt)
        sheet.freeze_panes(header_row + 1, 2)
        first_amount_col = 6
        text_columns = [(STR, None)] * first_amount_col
        row = header_row + 1
        for company_id, block in itertools.groupby(summary_rows, key=lambda values: values[0]):
            fmt = money[company_id]
            columns = [*text_columns, *[(NUM, fmt)] * (bucket_count + 2), (INT, None), (INT, None)]
            row = sheet.write_rows(row, columns, (values[1:] for values in block))
        row -= 1  # last data row
        last_col = len(summary_headers) - 1
        sheet.autofilter(header_row, 0, max(row, header_row), last_col)
        for label, company_id, bucket_amounts, total, item_count in totals:
            row += 1
            sheet.write_string(row, 0, label, total_label_fmt)
            for col in range(1, first_amount_col + 1):
                sheet.write_blank(row, col, None, total_label_fmt)
            for offset, amount in enumerate(bucket_amounts):
                sheet.write_number(
                    row,
                    first_amount_col + 1 + offset,
                    float(amount or 0.0),
                    money_total[company_id],
                )
            sheet.write_number(
                row,
                first_amount_col + 1 + len(bucket_amounts),
                float(total or 0.0),
                money_total[company_id],
            )
            sheet.write_blank(
                row, first_amount_col + 2 + len(bucket_amounts), None, total_label_fmt
            )
            sheet.write_number(
                row,
                first_amount_col + 3 + len(bucket_amounts),
                int(item_count or 0),
                total_label_fmt,
            )

        # ---- detail sheets (a new one when Excel's row limit is reached)
        detail_cols = len(detail_headers)

        def new_detail_sheet(number):
            name = labels["detail"] if number == 1 else f"{labels['detail']} ({number})"
            detail = workbook.add_worksheet(name[:31], worksheet_class=StreamingWorksheet)
            top = write_top(detail)
            detail.set_column(0, 0, 18)
            detail.set_column(1, 1, 32)
            detail.set_column(2, 2, 20)
            detail.set_column(3, 5, 12)
            detail.set_column(6, 6, 8)
            detail.set_column(7, 9, 14)
            detail.set_column(10, 11, 16)
            detail.write_row(top, 0, detail_headers, header_fmt)
            detail.freeze_panes(top + 1, 2)
            return detail, top

        sheet_number = 1
        sheet, header_row = new_detail_sheet(sheet_number)
        row = header_row + 1
        # rows kept free under the data of every sheet: the totals of the last one
        last_data_row = max_rows - 1 - len(totals)
        for company_id, block in itertools.groupby(detail_rows, key=lambda values: values[0]):
            fmt = money[company_id]
            columns = [
                (STR, None),
                (STR, None),
                (STR, None),
                (DATE, date_fmt),
                (DATE, date_fmt),
                (DATE, date_fmt),
                (INT, None),
                (STR, None),
                (STR, None),
                (STR, None),
                (NUM, fmt),
                (NUM, fmt),
            ]
            cells = (values[1:] for values in block)
            while True:
                first = next(cells, None)
                if first is None:
                    break
                if row > last_data_row:  # this sheet is full: the next one
                    sheet.autofilter(header_row, 0, row - 1, detail_cols - 1)
                    sheet_number += 1
                    sheet, header_row = new_detail_sheet(sheet_number)
                    row = header_row + 1
                room = last_data_row - row + 1
                row = sheet.write_rows(
                    row, columns, itertools.chain([first], itertools.islice(cells, room - 1))
                )
        row -= 1  # last data row
        sheet.autofilter(header_row, 0, max(row, header_row), detail_cols - 1)
        for label, company_id, _bucket_amounts, total, _item_count in totals:
            row += 1
            sheet.write_string(row, 0, label, total_label_fmt)
            for col in range(1, 11):
                sheet.write_blank(row, col, None, total_label_fmt)
            # The figure of the on-screen report (summed in the database, exact).
            sheet.write_number(row, 11, float(total or 0.0), money_total[company_id])
    finally:
        workbook.close()
