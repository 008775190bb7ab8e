"""Receivable aging XLSX writer (xlsxwriter, constant-memory mode; no ORM).

Rows arrive as iterables and are written one by one, in order, so memory stays
flat whatever the number of customers. Amounts are in each company's currency
(one number format per company); totals rows are per company, never across
currencies.
"""

import datetime

import xlsxwriter


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
):
    """Write the workbook to ``path``.

    ``companies`` maps company id to {name, currency, num_format}. ``summary_rows``
    yields (company_id, customer, ref, salesperson, grade, hold, credit_limit,
    *bucket amounts, total, days_max, item_count); ``detail_rows`` yields
    (company_id, customer, document, invoice_date, due_date, aged_from, days,
    bucket, salesperson, grade, original, open). ``totals`` is
    [(company_id, bucket amounts, total, item_count)].
    """
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
        sheet = workbook.add_worksheet(labels["summary"][:31])
        header_row = write_top(sheet)
        sheet.set_column(0, 0, 18)
        sheet.set_column(1, 1, 32)
        sheet.set_column(2, 5, 12)
        sheet.set_column(6, 7 + bucket_count + 1, 15)
        sheet.write_row(header_row, 0, summary_headers, header_fmt)
        sheet.freeze_panes(header_row + 1, 2)
        first_amount_col = 6
        row = header_row
        for values in summary_rows:
            row += 1
            company_id = values[0]
            fmt = money[company_id]
            sheet.write_string(row, 0, companies[company_id]["name"])
            sheet.write_string(row, 1, values[1] or "")
            sheet.write_string(row, 2, values[2] or "")
            sheet.write_string(row, 3, values[3] or "")
            sheet.write_string(row, 4, values[4] or "")
            sheet.write_string(row, 5, labels["yes"] if values[5] else labels["no"])
            amounts = values[6 : 6 + bucket_count + 2]
            for offset, amount in enumerate(amounts):
                sheet.write_number(row, first_amount_col + offset, float(amount or 0.0), fmt)
            sheet.write_number(row, first_amount_col + len(amounts), int(values[-2] or 0))
            sheet.write_number(row, first_amount_col + len(amounts) + 1, int(values[-1] or 0))
        last_col = len(summary_headers) - 1
        sheet.autofilter(header_row, 0, max(row, header_row), last_col)
        for company_id, bucket_amounts, total, item_count in totals:
            row += 1
            company = companies[company_id]
            sheet.write_string(
                row,
                0,
                labels["total"] % {"company": company["name"], "currency": company["currency"]},
                total_label_fmt,
            )
            for col in range(1, first_amount_col + 1):
                sheet.write_blank(row, col, None, total_label_fmt)
            for offset, amount in enumerate(bucket_amounts):
                sheet.write_number(
                    row, first_amount_col + 1 + offset, float(amount or 0.0), money_total[company_id]
                )
            sheet.write_number(
                row, first_amount_col + 1 + len(bucket_amounts), float(total or 0.0),
                money_total[company_id],
            )
            sheet.write_blank(row, first_amount_col + 2 + len(bucket_amounts), None, total_label_fmt)
            sheet.write_number(
                row, first_amount_col + 3 + len(bucket_amounts), int(item_count or 0),
                total_label_fmt,
            )

        # ---- detail sheet
        sheet = workbook.add_worksheet(labels["detail"][:31])
        header_row = write_top(sheet)
        sheet.set_column(0, 0, 18)
        sheet.set_column(1, 1, 32)
        sheet.set_column(2, 2, 20)
        sheet.set_column(3, 5, 12)
        sheet.set_column(6, 6, 8)
        sheet.set_column(7, 9, 14)
        sheet.set_column(10, 11, 16)
        sheet.write_row(header_row, 0, detail_headers, header_fmt)
        sheet.freeze_panes(header_row + 1, 2)
        row = header_row
        for values in detail_rows:
            row += 1
            company_id = values[0]
            fmt = money[company_id]
            sheet.write_string(row, 0, companies[company_id]["name"])
            sheet.write_string(row, 1, values[1] or "")
            sheet.write_string(row, 2, values[2] or "")
            for col, value in ((3, values[3]), (4, values[4]), (5, values[5])):
                if isinstance(value, datetime.date):
                    sheet.write_datetime(row, col, value, date_fmt)
                else:
                    sheet.write_blank(row, col, None)
            sheet.write_number(row, 6, int(values[6] or 0))
            sheet.write_string(row, 7, values[7] or "")
            sheet.write_string(row, 8, values[8] or "")
            sheet.write_string(row, 9, values[9] or "")
            sheet.write_number(row, 10, float(values[10] or 0.0), fmt)
            sheet.write_number(row, 11, float(values[11] or 0.0), fmt)
        sheet.autofilter(header_row, 0, max(row, header_row), len(detail_headers) - 1)
        for company_id, _bucket_amounts, total, _item_count in totals:
            row += 1
            company = companies[company_id]
            sheet.write_string(
                row,
                0,
                labels["total"] % {"company": company["name"], "currency": company["currency"]},
                total_label_fmt,
            )
            for col in range(1, 11):
                sheet.write_blank(row, col, None, total_label_fmt)
            # The figure of the on-screen report (summed in the database, exact).
            sheet.write_number(row, 11, float(total or 0.0), money_total[company_id])
    finally:
        workbook.close()
