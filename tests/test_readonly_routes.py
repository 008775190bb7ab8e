from datetime import date

from odoo.tests import HttpCase
from odoo.tests import tagged

# The downloads served by read-only routes (a replica with ``db_replica_host``): each
# must run without writing. ``{aging}`` is a computed aging run of the user. The
# dashboard and the statement downloads join this list when they land.
READONLY_DOWNLOADS = [
    ("aging XLSX", "/customer_credit/aging/{aging}/xlsx", b"PK"),
    ("aging PDF", "/report/pdf/customer_credit.report_receivable_aging/{aging}", None),
    ("aging HTML", "/report/html/customer_credit.report_receivable_aging/{aging}", None),
]

RETRY_WARNING = "retrying with a read/write cursor"


@tagged("post_install", "-at_install")
class TestReadonlyRoutes(HttpCase):
    """The test server gives read-only routes a READ ONLY transaction (as a replica
    would): a route that writes fails there and Odoo serves it again read-write, with a
    warning. None of these downloads may need that."""

    def setUp(self):
        super().setUp()
        self.admin = self.env.ref("base.user_admin")
        self.report = (
            self.env["customer.credit.aging.report"]
            .with_user(self.admin)
            .create({"date_as_of": date(2024, 2, 29)})
        )
        self.authenticate("admin", "admin")

    def test_downloads_do_not_write(self):
        self.report.action_compute()
        for name, url, magic in READONLY_DOWNLOADS:
            with self.subTest(name):
                # a write in the read-only transaction would log RETRY_WARNING
                with self.assertNoLogs("odoo.http", "WARNING"):
                    response = self.url_open(url.format(aging=self.report.id), timeout=120)
                self.assertEqual(response.status_code, 200, name)
                if magic:
                    self.assertTrue(response.content.startswith(magic), name)

    def test_uncomputed_run_is_served_by_the_primary(self):
        # A run the buttons did not compute (or not yet replayed on the replica) is
        # computed in a read-write transaction, then downloaded.
        self.assertEqual(self.report.state, "draft")
        with self.assertLogs("odoo.http", "WARNING") as logs:
            response = self.url_open(f"/customer_credit/aging/{self.report.id}/xlsx", timeout=120)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"))
        self.assertIn(RETRY_WARNING, "\n".join(logs.output))
        self.report.invalidate_recordset(["state"])
        self.assertEqual(self.report.state, "done")
