"""Customer statement XLSX writer (xlsxwriter; no ORM)."""

import xlsxwriter


def write_statement_workbook(
    target, sheet_name, title, header, columns, labels, sections, aging, aging_num_format
):
    """Write the statement to ``target`` (a path or a binary file object).

    ``header`` is [(label, value)] under the title (dates as ``datetime.date``);
    ``columns`` the 8 column titles (date, type, document, reference, due date,
    debit, credit, balance); ``sections`` [{title, num_format, opening, closing,
    total_debit, total_credit, lines}] with lines as tuples in column order;
    ``aging`` is ([(bucket label, amount)], total) in the first section's currency.
    """
    workbook = xlsxwriter.Workbook(target, {"in_memory": True})
    try:
        bold = workbook.add_format({"bold": True})
        title_fmt = workbook.add_format({"bold": True, "font_size": 14})
        header_fmt = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet = workbook.add_worksheet(sheet_name[:31])
        sheet.set_column(0, 0, 12)
        sheet.set_column(1, 1, 14)
        sheet.set_column(2, 3, 22)
        sheet.set_column(4, 4, 12)
        sheet.set_column(5, 7, 16)
        sheet.write(0, 0, title, title_fmt)
        row = 1
        for label, value in header:
            sheet.write(row, 0, label, bold)
            if hasattr(value, "toordinal"):
                sheet.write_datetime(row, 1, value, date_fmt)
            else:
                sheet.write(row, 1, value)
            row += 1
        for section in sections:
            money = workbook.add_format({"num_format": section["num_format"]})
            money_bold = workbook.add_format(
                {"num_format": section["num_format"], "bold": True, "top": 1}
            )
            row += 1
            sheet.write(row, 0, section["title"], bold)
            row += 1
            sheet.write_row(row, 0, columns, header_fmt)
            row += 1
            sheet.write(row, 0, labels["opening"], bold)
            sheet.write_number(row, 7, section["opening"], money_bold)
            row += 1
            for line in section["lines"]:
                day, kind, document, reference, due, debit, credit, balance = line
                sheet.write_datetime(row, 0, day, date_fmt)
                sheet.write_string(row, 1, kind)
                sheet.write_string(row, 2, document)
                sheet.write_string(row, 3, reference)
                if due:
                    sheet.write_datetime(row, 4, due, date_fmt)
                sheet.write_number(row, 5, debit, money)
                sheet.write_number(row, 6, credit, money)
                sheet.write_number(row, 7, balance, money)
                row += 1
            sheet.write(row, 0, labels["closing"], bold)
            sheet.write_number(row, 5, section["total_debit"], money_bold)
            sheet.write_number(row, 6, section["total_credit"], money_bold)
            sheet.write_number(row, 7, section["closing"], money_bold)
            row += 1
        aging_columns, aging_total = aging
        money = workbook.add_format({"num_format": aging_num_format})
        row += 1
        sheet.write(row, 0, labels["aging"], bold)
        row += 1
        for col, (label, _amount) in enumerate(aging_columns):
            sheet.write(row, col, label, header_fmt)
        sheet.write(row, len(aging_columns), labels["total"], header_fmt)
        row += 1
        for col, (_label, amount) in enumerate(aging_columns):
            sheet.write_number(row, col, amount, money)
        sheet.write_number(row, len(aging_columns), aging_total, money)
    finally:
        workbook.close()
