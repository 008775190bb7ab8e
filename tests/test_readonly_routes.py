import io
import json
from datetime import date
from urllib.parse import quote

import openpyxl

from odoo import Command
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged

PERIOD = {"date_from": "2024-02-01", "date_to": "2024-02-29"}
STATEMENT_XLSX = "/customer_credit/statement/{partner}/xlsx"

# The downloads served by read-only routes (a replica with ``db_replica_host``): each
# must run without writing. ``{aging}`` is a computed aging run of the user,
# ``{partner}`` a customer with an invoice in PERIOD. scripts/load.py's REPLICA_CHECKS
# downloads the same on a real replica (the dashboard there is a JSON-RPC call).
READONLY_DOWNLOADS = [
    ("aging XLSX", "/customer_credit/aging/{aging}/xlsx", b"PK"),
    ("aging PDF", "/report/pdf/customer_credit.report_receivable_aging/{aging}", None),
    ("aging HTML", "/report/html/customer_credit.report_receivable_aging/{aging}", None),
    (
        "statement XLSX",
        STATEMENT_XLSX + "?date_from={date_from}&date_to={date_to}",
        b"PK",
    ),
    (
        "statement PDF",
        "/report/pdf/customer_credit.report_customer_statement/{partner}?options={options}",
        None,
    ),
]

# The routes behind them, by path: each must be declared readonly=True (an override
# that changes it would make Odoo serve it read-write, on the primary).
READONLY_PATHS = [
    "/customer_credit/aging/<int:report_id>/xlsx",
    "/customer_credit/statement/<int:partner_id>/xlsx",
    "/report/<converter>/<reportname>/<docids>",
    "/my/credit",
    "/my/credit/statement",
    "/my/credit/agreement/<int:agreement_id>",
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
        self.customer = self.env["res.partner"].create({"name": "Readonly Statement Customer"})
        self.invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": date(2024, 2, 10),
                "invoice_date_due": date(2024, 3, 10),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Goods", "quantity": 1, "price_unit": 250.0, "tax_ids": []}
                    )
                ],
            }
        )
        self.invoice.action_post()
        self.authenticate("admin", "admin")

    def _url(self, url):
        return url.format(
            aging=self.report.id,
            partner=self.customer.id,
            options=quote(json.dumps(PERIOD)),
            **PERIOD,
        )

    def test_routes_are_declared_readonly(self):
        rules = {
            rule.rule: rule.endpoint.routing
            for rule in self.env["ir.http"].routing_map().iter_rules()
        }
        for path in READONLY_PATHS:
            with self.subTest(path):
                self.assertIn(path, rules)
                self.assertIs(rules[path]["readonly"], True, path)

    def test_downloads_do_not_write(self):
        self.report.action_compute()
        for name, url, magic in READONLY_DOWNLOADS:
            with self.subTest(name):
                # a write in the read-only transaction would log RETRY_WARNING
                with self.assertNoLogs("odoo.http", "WARNING"):
                    response = self.url_open(self._url(url), timeout=120)
                self.assertEqual(response.status_code, 200, name)
                if magic:
                    self.assertTrue(response.content.startswith(magic), name)
                if name.startswith("statement"):
                    # the period's invoice (a test run renders the PDF as HTML)
                    if magic:
                        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
                        texts = [c for r in sheet.iter_rows(values_only=True) for c in r]
                    else:
                        texts = [response.text]
                    self.assertTrue(any(self.invoice.name in str(t) for t in texts), name)

    def test_statement_route_needs_a_period_and_a_statement_group(self):
        url = self._url(STATEMENT_XLSX)
        for query in ("", "?date_from=2024-02-01", "?date_from=2024-03-01&date_to=2024-02-01"):
            with self.subTest(query=query):
                response = self.url_open(url + query)
                # a bad period is a bad request that says what to send, not "not found"
                self.assertEqual(response.status_code, 400)
                self.assertIn("date_from and date_to", response.text)
        period = "?date_from={date_from}&date_to={date_to}".format(**PERIOD)
        self.assertEqual(self.url_open(self._url(STATEMENT_XLSX + period)).status_code, 200)
        self.assertEqual(
            self.url_open(f"/customer_credit/statement/0/xlsx{period}").status_code, 404
        )
        new_test_user(self.env, login="readonly_seller", groups="sales_team.group_sale_salesman")
        self.authenticate("readonly_seller", "readonly_seller")
        self.assertEqual(self.url_open(url + period).status_code, 403)

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
