"""Customer statement (对账单) maths: sections, running balances, totals (no ORM).

A statement lists the posted receivable lines of one customer over a period. The
company-currency section holds every line (``balance``); each foreign currency in
which documents were issued gets its own section, in that currency
(``amount_currency``). Each section starts from the opening balance (the lines dated
before the period) and ends on the closing balance; every line carries the running
balance after it. Amounts are rounded to the currency's decimals at each step, so
that a closing balance printed on paper is the sum of the figures printed above it.
"""

from collections import namedtuple

# What the statement query returns for a line of the period (see
# ``res.partner._credit_statement_rows``).
StatementRow = namedtuple(
    "StatementRow",
    "line_id date kind move_name reference date_maturity currency_id balance amount_currency",
)
# Opening sums per document currency: {currency_id: (balance, amount_currency)}.


def _section(currency_id, digits, opening, entries):
    """One section: ``entries`` are (row, amount) in date order."""
    running = round(opening, digits)
    total_debit = total_credit = 0.0
    lines = []
    for row, amount in entries:
        amount = round(amount, digits)
        debit = amount if amount > 0 else 0.0
        credit = -amount if amount < 0 else 0.0
        total_debit = round(total_debit + debit, digits)
        total_credit = round(total_credit + credit, digits)
        running = round(running + amount, digits)
        lines.append({"row": row, "debit": debit, "credit": credit, "balance": running})
    return {
        "currency_id": currency_id,
        "opening": round(opening, digits),
        "lines": lines,
        "total_debit": total_debit,
        "total_credit": total_credit,
        "closing": running,
    }


def build_statement_sections(company_currency_id, digits, opening, rows):
    """The sections of a statement: the company currency first, then one per foreign
    currency with an opening balance or a line in it (ordered by currency id; the
    caller sorts by name if it wants).

    ``digits`` maps currency id to its decimal places; ``opening`` is
    {currency_id: (balance, amount_currency)} for the lines before the period;
    ``rows`` are :class:`StatementRow` of the period, in date order.
    """
    company_opening = sum(balance for balance, _amount in opening.values())
    sections = [
        _section(
            company_currency_id,
            digits[company_currency_id],
            company_opening,
            [(row, row.balance) for row in rows],
        )
    ]
    foreign = sorted(
        {cid for cid in opening if cid != company_currency_id}
        | {row.currency_id for row in rows if row.currency_id != company_currency_id}
    )
    for currency_id in foreign:
        entries = [
            (row, row.amount_currency)
            for row in rows
            if row.currency_id == currency_id and row.amount_currency
        ]
        start = opening.get(currency_id, (0.0, 0.0))[1]
        if not entries and not round(start, digits[currency_id]):
            continue
        sections.append(_section(currency_id, digits[currency_id], start, entries))
    return sections


def previous_month(today):
    """(first day, last day) of the month before ``today`` (a ``datetime.date``)."""
    first_this_month = today.replace(day=1)
    last = first_this_month.fromordinal(first_this_month.toordinal() - 1)
    return last.replace(day=1), last


def batches(items, size):
    """``items`` cut into lists of at most ``size``."""
    items = list(items)
    return [items[start : start + size] for start in range(0, len(items), size)]
