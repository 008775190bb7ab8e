from datetime import date
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import CreditCommon

TODAY = date(2026, 6, 15)


@tagged("post_install", "-at_install")
class TestDashboard(CreditCommon):
    """Figures of the credit dashboard computed by hand on a small ledger, and equal to
    the lists they open."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.credit_overdue_tolerance_days = 5
        cls.grade_a = cls.env.ref("customer_credit.grade_aa")
        cls.grade_b = cls.env.ref("customer_credit.grade_bbb")
        cls.third_customer = cls.env["res.partner"].create(
            {"name": "Third Customer Ltd", "is_company": True}
        )
        cls.customer.sudo().write({"credit_limit": 1000.0, "credit_grade_id": cls.grade_a.id})
        cls.other_customer.sudo().write(
            {
                "credit_limit": 10000.0,
                "credit_grade_id": cls.grade_b.id,
                "credit_hold": True,
                "credit_hold_reason": "Disputed delivery",
            }
        )

    def data(self, user=None, company=None):
        Dashboard = self.env["customer.credit.dashboard"].with_user(user or self.credit_manager)
        if company:
            Dashboard = Dashboard.with_context(allowed_company_ids=company.ids)
        self.env.invalidate_all()
        result = Dashboard.get_dashboard_data()
        result["by_key"] = {figure["key"]: figure for figure in result["figures"]}
        return result

    def list_count(self, action):
        Model = self.env[action["res_model"]].with_user(self.credit_manager)
        return Model.search_count(action["domain"])

    @freeze_time(TODAY)
    def _ledger(self):
        # Credit Customer: 1,000 invoiced 10 Feb, due 12 March, 600 paid 20 April;
        # 700 more on 1 June, due 5 June: over its 1,000 limit and 10 days overdue
        self.inv_feb = self.make_invoice(
            self.customer, 1000.0, due_in_days=30, invoice_date=date(2026, 2, 10)
        )
        self.pay(self.inv_feb, amount=600.0, date=date(2026, 4, 20))
        self.make_invoice(self.customer, 700.0, due_in_days=4, invoice_date=date(2026, 6, 1))
        # Other Customer (on hold): 500 invoiced 20 May, due 30 June
        self.make_invoice(
            self.other_customer, 500.0, due_in_days=41, invoice_date=date(2026, 5, 20)
        )
        # Third Customer, no limit: a confirmed order of 300
        self.make_order(self.third_customer, 300.0)

    @freeze_time(TODAY)
    def test_figures(self):
        self._ledger()
        self.customer.sudo().credit_review_date = TODAY + timedelta(days=10)
        self.other_customer.sudo().credit_review_date = TODAY + timedelta(days=40)
        request = (
            self.env["customer.credit.limit.request"]
            .with_user(self.salesman)
            .create({"partner_id": self.customer.id, "requested_limit": 3000.0, "reason": "Growth"})
        )
        request.action_submit()
        data = self.data(self.credit_manager)
        figures = data["by_key"]
        self.assertEqual(data["currency_id"], self.company.currency_id.id)
        expected = {
            "exposure": 400.0 + 700.0 + 500.0 + 300.0,
            "over_limit": 1,
            "on_hold": 1,
            "overdue": 1,
            "limit_requests": 1,
            "releases": 0,
            "evaluations": 0,
            "agreements_due": 0,
            "reviews_due": 1,
        }
        self.assertEqual({key: figures[key]["value"] for key in expected}, expected)
        # each figure opens the list it counts
        for key in expected:
            if key != "exposure":
                with self.subTest(figure=key):
                    self.assertEqual(self.list_count(figures[key]["action"]), expected[key])
        Partner = self.env["res.partner"].with_user(self.credit_manager)
        customers = Partner.search(figures["exposure"]["action"]["domain"])
        self.assertAlmostEqual(sum(customers.mapped("credit_exposure")), expected["exposure"])
        self.assertEqual(
            Partner.search(figures["over_limit"]["action"]["domain"]),
            self.customer,
        )
        charts = data["charts"]
        grades = charts["grades"]
        self.assertEqual(grades["exposure"][grades["labels"].index("AA")], 1100.0)
        self.assertEqual(grades["limit"][grades["labels"].index("BBB")], 10000.0)
        self.assertEqual(grades["exposure"][grades["labels"].index("No Grade")], 300.0)
        # bands: under 50% (Other Customer, 5%), over limit (Credit Customer), no limit (Third)
        self.assertEqual(charts["utilisation"]["counts"], [1, 0, 0, 1, 1])
        top = charts["top_exposures"]
        self.assertEqual(
            top["partner_ids"][:3],
            [self.customer.id, self.other_customer.id, self.third_customer.id],
        )
        self.assertEqual(top["amounts"][:3], [1100.0, 500.0, 300.0])

    @freeze_time(TODAY)
    def test_monthly_history_and_dso(self):
        self._ledger()
        data = self.data()
        months = data["charts"]["months"]
        self.assertEqual(len(months["labels"]), 12)
        # month ends July 2025 .. May 2026, then today
        owed = dict(zip(months["labels"][-6:], months["owed"][-6:], strict=True))
        overdue = dict(zip(months["labels"][-6:], months["overdue"][-6:], strict=True))
        labels = months["labels"][-6:]
        self.assertEqual(
            [owed[label] for label in labels], [0.0, 1000.0, 1000.0, 400.0, 900.0, 1600.0]
        )
        self.assertEqual(
            [overdue[label] for label in labels], [0.0, 0.0, 1000.0, 400.0, 400.0, 1100.0]
        )
        # the aging engine agrees at a month end
        report = (
            self.env["customer.credit.aging.report"]
            .with_user(self.credit_manager)
            .create({"date_as_of": date(2026, 3, 31), "company_ids": [self.company.id]})
        )
        report._run_aging()
        self.assertEqual(
            sum(report.line_ids.mapped("amount_total"))
            - sum(report.line_ids.mapped("bucket_0_amount")),
            1000.0,
        )
        # DSO today: 1,600 owed / 1,200 sold from 1 April to 15 June (76 days) x 76;
        # 31 May: 900 / (500 sold in March-May, 92 days) x 92
        self.assertEqual(months["dso"][-1], round(1600.0 / 1200.0 * 76, 1))
        self.assertEqual(months["dso"][-2], round(900.0 / 500.0 * 92, 1))
        dso = data["by_key"]["dso"]
        self.assertEqual(dso["value"], months["dso"][-1])
        self.assertEqual(dso["trend"], round(months["dso"][-1] - months["dso"][-2], 1))
        lines = self.env["account.move.line"].search(dso["action"]["domain"])
        self.assertEqual(sum(lines.mapped("amount_residual")), 1600.0)

        # the snapshots taken by the cron give the same history
        Snapshot = self.env["customer.credit.receivable.snapshot"].sudo()
        Snapshot._cron_snapshot_month_ends()
        snapshot = Snapshot.search(
            [("company_id", "=", self.company.id), ("date", "=", date(2026, 3, 31))]
        )
        self.assertRecordValues(
            snapshot, [{"amount_owed": 1000.0, "amount_overdue": 1000.0, "amount_sales": 0.0}]
        )
        self.assertEqual(self.data()["charts"]["months"], months)
        # a later payment does not rewrite a month end already taken
        Snapshot._cron_snapshot_month_ends()
        self.assertEqual(
            Snapshot.search_count(
                [("company_id", "=", self.company.id), ("date", "=", date(2026, 3, 31))]
            ),
            1,
        )

    @freeze_time(TODAY)
    def test_companies_apart(self):
        """Each company's figures in its own currency; a company the user may not see is
        refused."""
        self._ledger()
        eur = self.setup_other_currency("EUR")
        company_2 = self.setup_other_company(name="Dash Company 2", currency_id=eur.id)["company"]
        invoice = (
            self.env["account.move"]
            .with_company(company_2)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": TODAY,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Goods", "quantity": 1, "price_unit": 5000.0, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        invoice.action_post()
        with self.assertRaises(AccessError):
            self.data(company=company_2)
        self.credit_manager.company_ids = [Command.link(company_2.id)]
        first = self.data(company=self.company)
        self.assertEqual(first["by_key"]["exposure"]["value"], 1900.0)
        second = self.data(company=company_2)
        self.assertEqual(second["currency_id"], eur.id)
        self.assertEqual(second["by_key"]["exposure"]["value"], 5000.0)
        # the limit and hold are per company: none in company 2
        self.assertEqual(second["by_key"]["over_limit"]["value"], 0)
        self.assertEqual(second["by_key"]["on_hold"]["value"], 0)

    def test_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        data = (
            self.env["customer.credit.dashboard"]
            .with_user(self.credit_manager)
            .with_context(lang="zh_CN")
            .get_dashboard_data()
        )
        figures = {figure["key"]: figure for figure in data["figures"]}
        self.assertEqual(figures["over_limit"]["label"], "超额度客户")
        self.assertEqual(figures["over_limit"]["action"]["name"], "超额度客户")
        self.assertEqual(figures["dso"]["label"], "应收账款周转天数（天）")
        self.assertEqual(data["charts"]["utilisation"]["labels"][0], "低于 50%")

    def test_sales_index(self):
        """The month's sales read on every call come from their partial index."""
        self.env.cr.execute(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'account_move_credit_sales_idx'"
        )
        self.assertTrue(self.env.cr.fetchone())

    def test_salesperson_and_accountant_refused(self):
        for user in (self.salesman, self.accountant):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.data(user)

    def test_menu_and_landing_action(self):
        overview = self.env.ref("customer_credit.menu_customer_credit_overview")
        root = self.env.ref("customer_credit.menu_customer_credit_root")
        # the app opens its first visible menu: Overview for a credit manager, Customers
        # for a salesperson (who does not see Overview)
        Menu = self.env["ir.ui.menu"]
        menus = root.with_context(**{"ir.ui.menu.full_list": True}).child_id.sorted("sequence")
        for user, first in (
            (self.credit_manager, overview),
            (self.salesman, self.env.ref("customer_credit.menu_customer_credit_customers")),
        ):
            visible = Menu.with_user(user)._visible_menu_ids()
            self.assertEqual(menus.filtered(lambda m, v=visible: m.id in v)[0], first)


@tagged("post_install", "-at_install")
class TestDashboardRpc(CreditCommon, HttpCase):
    """Over JSON-RPC: a salesperson gets an access error, a credit manager the data (the
    method is marked to run on a read-only cursor)."""

    def call(self, login):
        self.authenticate(login, login)
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": "customer.credit.dashboard",
                "method": "get_dashboard_data",
                "args": [],
                "kwargs": {"context": {"lang": "en_US"}},
            },
        )

    def test_rpc(self):
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            self.call(self.salesman.login)
        self.assertEqual(str(caught.exception), "odoo.exceptions.AccessError")
        data = self.call(self.credit_manager.login)
        self.assertEqual(data["company"], self.company.name)
        method = type(self.env["customer.credit.dashboard"]).get_dashboard_data
        self.assertTrue(method._readonly)


@tagged("post_install", "-at_install")
class TestDashboardTour(HttpCase):
    def test_dashboard_tour(self):
        customer = self.env["res.partner"].create(
            {"name": "Dash Tour Over Ltd", "is_company": True}
        )
        product = self.env["product.product"].create({"name": "Dash Widget", "list_price": 500.0})
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [Command.create({"product_id": product.id, "tax_id": False})],
            }
        )
        order.action_confirm()
        customer.credit_limit = 100.0
        self.start_tour(
            "/odoo/action-customer_credit.customer_credit_dashboard_action",
            "customer_credit_dashboard",
            login="admin",
        )
