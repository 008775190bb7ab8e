from datetime import date

from odoo.tests import BaseCase
from odoo.tests import tagged

from ..tools.dashboard_math import days_sales_outstanding
from ..tools.dashboard_math import dso_trend
from ..tools.dashboard_math import dso_window
from ..tools.dashboard_math import month_end_dates
from ..tools.dashboard_math import utilisation_band


@tagged("post_install", "-at_install")
class TestDashboardMath(BaseCase):
    def test_month_end_dates(self):
        self.assertEqual(
            month_end_dates(date(2026, 3, 5), 4),
            [date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 5)],
        )
        dates = month_end_dates(date(2024, 3, 31), 12)
        self.assertEqual(len(dates), 12)
        self.assertEqual(dates[0], date(2023, 4, 30))
        self.assertEqual(dates[-2:], [date(2024, 2, 29), date(2024, 3, 31)])
        self.assertEqual(month_end_dates(date(2026, 1, 1), 1), [date(2026, 1, 1)])
        with self.assertRaises(ValueError):
            month_end_dates(date(2026, 1, 1), 0)

    def test_dso(self):
        # three calendar months up to the date: 1 April .. 15 June = 76 days
        self.assertEqual(dso_window(date(2026, 6, 15)), (date(2026, 4, 1), 76))
        self.assertEqual(dso_window(date(2026, 3, 31)), (date(2026, 1, 1), 90))
        self.assertEqual(days_sales_outstanding(900.0, 500.0, 76), 136.8)
        self.assertIsNone(days_sales_outstanding(900.0, 0.0, 76))
        self.assertIsNone(days_sales_outstanding(900.0, -10.0, 76))
        self.assertEqual(days_sales_outstanding(-5.0, 100.0, 30), 0.0)
        self.assertEqual(dso_trend([None, 165.6, 136.8]), -28.8)
        self.assertIsNone(dso_trend([136.8]))
        self.assertIsNone(dso_trend([None, 136.8]))

    def test_utilisation_band(self):
        bands = [
            utilisation_band(1000.0, x) for x in (-50, 0, 499.99, 500, 799, 800, 1000, 1000.01)
        ]
        self.assertEqual(bands, [0, 0, 0, 1, 1, 2, 2, 3])
