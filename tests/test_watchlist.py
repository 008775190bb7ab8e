from freezegun import freeze_time

from odoo.tests import tagged

from .common_monitoring import CreditMonitoringCase


@tagged("post_install", "-at_install")
class TestWatchlist(CreditMonitoringCase):
    def _row(self, partner):
        return self.env["customer.credit.watchlist"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def test_utilisation_and_overdue_ratio(self):
        self.customer.with_company(self.company).credit_limit = 1000.0
        calm = self._customer("Calm Ltd")
        calm.with_company(self.company).credit_limit = 10000.0
        with freeze_time("2025-06-01"):
            self._invoice(self.customer, 500.0, self.d("2025-06-30"))
            self._invoice(self.customer, 400.0, self.d("2025-05-01"))
            self._invoice(calm, 100.0, self.d("2025-06-30"))
            self.monitor._cron_refresh_watchlist(send_digest=False)
            row = self._row(self.customer)
            self.assertAlmostEqual(row.utilisation_pct, 90.0)
            self.assertAlmostEqual(row.overdue_ratio_pct, 44.44, places=2)
            self.assertTrue(row.reason_utilisation)
            self.assertTrue(row.reason_overdue_ratio)
            self.assertTrue(row.on_watchlist)
            self.assertIn("Credit used 90%", row.reasons)
            self.assertIn("44% of open receivable overdue", row.reasons)
            self.assertFalse(self._row(calm).on_watchlist)
            Partner = self.env["res.partner"].with_company(self.company)
            watched = Partner.search([("credit_on_watchlist", "=", True)])
            self.assertIn(self.customer, watched)
            self.assertNotIn(calm, watched)
            self.assertIn(calm, Partner.search([("credit_on_watchlist", "=", False)]))
            self.assertIn(
                "Credit used", self.customer.with_company(self.company).credit_watch_reasons
            )

    def test_dso_rise(self):
        with freeze_time("2025-06-30"):
            # 90-180 days ago: sold 900, all paid -> DSO then ~0 ... but one small open item.
            old = self._invoice(self.customer, 900.0, self.d("2025-03-01"), self.d("2025-02-01"))
            self._pay(old, self.d("2025-02-20"))
            self._invoice(self.customer, 100.0, self.d("2025-03-15"), self.d("2025-02-15"))
            # last 90 days: sold 1000, nothing paid.
            self._invoice(self.customer, 1000.0, self.d("2025-06-15"), self.d("2025-05-15"))
            self.monitor._cron_refresh_watchlist(send_digest=False)
            row = self._row(self.customer)
            # now: balance 1100 / sales 1000 * 90 = 99; then: balance 100 / sales 1000 * 90 = 9
            self.assertAlmostEqual(row.dso_days, 99.0)
            self.assertAlmostEqual(row.dso_days_previous, 9.0)
            self.assertAlmostEqual(row.dso_change_days, 90.0)
            self.assertTrue(row.reason_dso)
            self.assertIn("DSO up 90 days", row.reasons)

    def test_score_drop_since_last_evaluation(self):
        partner = self.customer.with_company(self.company)
        partner.credit_score = 80.0
        with freeze_time("2025-06-01"):
            self.monitor._cron_refresh_watchlist(send_digest=False)
            self.assertFalse(self._row(self.customer).reason_score)
        partner.credit_score = 65.0
        with freeze_time("2025-06-02"):
            self.monitor._cron_refresh_watchlist(send_digest=False)
            row = self._row(self.customer)
            self.assertEqual(row.score_previous, 80.0)
            self.assertEqual(row.score_drop, 15.0)
            self.assertTrue(row.reason_score)
        with freeze_time("2025-06-03"):
            # Unchanged score keeps the reference of the last evaluation.
            self.monitor._cron_refresh_watchlist(send_digest=False)
            self.assertTrue(self._row(self.customer).reason_score)

    def test_daily_digest_one_email_per_manager(self):
        self.customer.with_company(self.company).credit_limit = 100.0
        other_manager = self.manager.copy({"login": "cc_mon_manager2", "email": "m2@example.com"})
        with freeze_time("2025-06-01"):
            self._invoice(self.customer, 500.0, self.d("2025-06-30"))
            sent = self.monitor._cron_refresh_watchlist()
        digests = self.env["mail.mail"].search([("model", "=", "res.users")])
        mine = digests.filtered(lambda mail: mail.res_id == self.manager.id)
        self.assertEqual(len(mine), 1)
        self.assertIn("Overdue Ltd", mine.body_html)
        self.assertIn("Credit used", mine.body_html)
        self.assertFalse(
            digests.filtered(lambda mail: mail.res_id == other_manager.id),
            "The customer has its own credit manager: the other manager is not bothered.",
        )
        self.assertGreaterEqual(sent, 1)

    def test_severity_ranks_the_watchlist_and_caps_the_digest(self):
        self.customer.with_company(self.company).credit_limit = 1000.0
        other = self._customer("Small Overdue Ltd")
        other.with_company(self.company).credit_limit = 10000.0
        other.with_company(self.company).credit_manager_id = self.manager
        self.company.credit_watch_digest_size = 1
        with freeze_time("2025-06-01"):
            self._invoice(self.customer, 500.0, self.d("2025-06-30"))
            self._invoice(self.customer, 400.0, self.d("2025-05-01"))
            self._invoice(other, 100.0, self.d("2025-05-01"))
            self.monitor._cron_refresh_watchlist()
        row, small = self._row(self.customer), self._row(other)
        rows = self.env["customer.credit.watchlist"].search([("company_id", "=", self.company.id)])
        # percent rank by overdue amount among the company's rows (0 for the smallest,
        # 1 for the largest)
        n = len(rows)

        def rank(r):
            return len(rows.filtered(lambda x: x.overdue_amount < r.overdue_amount)) / (n - 1)

        # Overdue Ltd: 400 of 900 overdue (35 x 0.4444), 90% of its limit used
        # (25 x (90 - 80) / 70), no DSO or score points, the largest overdue amount
        self.assertAlmostEqual(
            row.severity, round(35 * 400 / 900 + 25 * 10 / 70 + 10 * rank(row), 1)
        )
        # Small Overdue Ltd: everything overdue (35), 1% used (0)
        self.assertAlmostEqual(small.severity, round(35 + 10 * rank(small), 1))
        self.assertTrue(row.on_watchlist and small.on_watchlist)
        self.assertGreater(small.severity, row.severity)
        watched = rows.filtered("on_watchlist")
        self.assertEqual(watched.ids[:2], [small.id, row.id], "the most severe first")
        # the digest lists one customer (the company's digest size), and says the rest
        digest = self.env["mail.mail"].search(
            [("model", "=", "res.users"), ("res_id", "=", self.manager.id)]
        )
        self.assertEqual(len(digest), 1)
        self.assertIn("Small Overdue Ltd", digest.body_html)
        self.assertNotIn("Overdue Ltd</td>", digest.body_html.replace("Small Overdue Ltd", ""))
        self.assertIn("1 more customers are on the watchlist", digest.body_html)
        self.assertIn("2 customers to watch", digest.subject)

    def test_customer_leaving_the_scope_leaves_the_watchlist(self):
        """A second refresh the same day drops a customer with nothing left (its only
        invoice cancelled) instead of keeping its old figures, and ranks the others
        among the customers still watched."""
        small = self._customer("Small Overdue Ltd")
        large = self._customer("Large Overdue Ltd")
        with freeze_time("2025-06-01"):
            invoice = self._invoice(self.customer, 500.0, self.d("2025-05-01"))
            self._invoice(small, 100.0, self.d("2025-05-01"))
            self._invoice(large, 300.0, self.d("2025-05-01"))
            self.monitor._cron_refresh_watchlist(send_digest=False)
            self.assertTrue(self._row(self.customer).on_watchlist)
            invoice.button_draft()
            invoice.button_cancel()
            self.monitor._cron_refresh_watchlist(send_digest=False)
            self.assertFalse(self._row(self.customer))
            watched = (
                self.env["res.partner"]
                .with_company(self.company)
                .search([("credit_on_watchlist", "=", True)])
            )
            self.assertNotIn(self.customer, watched)
            self.assertIn(small, watched)
            rows = self.env["customer.credit.watchlist"].search(
                [("company_id", "=", self.company.id)]
            )
            self.assertEqual(rows.partner_id, small | large)
            # all overdue (35 points each); by overdue amount the smaller ranks 0, the
            # larger 1 (10 points): the cancelled 500 no longer counts
            self.assertEqual(self._row(small).severity, 35.0)
            self.assertEqual(self._row(large).severity, 45.0)
