"""Pure maths of the credit dashboard: the dates of the monthly series, days sales
outstanding and the utilisation bands (no ORM)."""

import calendar
from datetime import date

# Utilisation bands of customers with a limit, in % of the limit: [from, to).
# The last one is over the limit (the "over limit" figure counts exposure > limit).
UTILISATION_BANDS = ((0.0, 50.0), (50.0, 80.0), (80.0, 100.0), (100.0, None))
# Months of sales a DSO figure is computed over (rolling window ending at its date).
DSO_WINDOW_MONTHS = 3


def month_start(day, months_back=0):
    """First day of the month ``months_back`` months before the month of ``day``."""
    year, month = divmod(day.year * 12 + day.month - 1 - months_back, 12)
    return date(year, month + 1, 1)


def month_end(day):
    """Last day of the month of ``day``."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_end_dates(today, count=12):
    """The dates of a monthly series of ``count`` points ending this month: the last
    day of each of the ``count - 1`` previous months, then ``today`` (this month so
    far), in ascending order."""
    if count < 1:
        raise ValueError("count must be at least 1")
    ends = [month_end(month_start(today, back)) for back in range(count - 1, 0, -1)]
    return [*ends, today]


def dso_window(as_of, months=DSO_WINDOW_MONTHS):
    """(first day, number of days) of the sales window of a DSO as of ``as_of``: the
    ``months`` calendar months ending with the month of ``as_of``, up to ``as_of``."""
    start = month_start(as_of, months - 1)
    return start, (as_of - start).days + 1


def days_sales_outstanding(receivable, sales, days):
    """Days sales outstanding: ``receivable`` / (``sales`` over ``days`` days) × days.

    None when there were no sales (the figure has no meaning), never negative."""
    if not sales or sales <= 0 or days <= 0:
        return None
    return max(round(receivable / sales * days, 1), 0.0)


def dso_trend(series):
    """Change of the last DSO of ``series`` against the one before (None if either is
    missing): positive means customers pay more slowly."""
    if len(series) < 2 or series[-1] is None or series[-2] is None:
        return None
    return round(series[-1] - series[-2], 1)


def utilisation_band(limit, exposure):
    """Index in :data:`UTILISATION_BANDS` of a customer with credit limit ``limit`` > 0:
    over the limit (exposure > limit, as the "over limit" figure) or the band of its
    exposure in % of the limit (nothing or less owed: the first band)."""
    if exposure > limit:
        return len(UTILISATION_BANDS) - 1
    percent = 100.0 * exposure / limit
    for index, (_low, high) in enumerate(UTILISATION_BANDS[:-1]):
        if percent < high:
            return index
    return len(UTILISATION_BANDS) - 2
