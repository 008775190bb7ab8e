import io
from datetime import date

import openpyxl

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tools.misc import formatLang

PORTAL_LOGIN = "credit_portal_user"


@tagged("post_install", "-at_install")
class TestPortalCredit(AccountTestInvoicingCommon, HttpCase):
    """/my/credit: a customer's portal user sees its own figures only, nothing internal,
    and downloads its statement and agreements."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.credit_portal_page = True
        cls.customer = cls.env["res.partner"].create(
            {"name": "Portal Credit Ltd", "is_company": True, "comment": "Internal: slow payer"}
        )
        cls.customer.sudo().with_company(cls.company).write(
            {
                "credit_limit": 5000.0,
                "credit_score": 73.25,
                "credit_grade_id": cls.env.ref("customer_credit.grade_aaa").id,
            }
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Pat Portal", "parent_id": cls.customer.id, "email": "pat@example.com"}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login=PORTAL_LOGIN,
            groups="base.group_portal",
            partner_id=cls.contact.id,
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.other = cls.env["res.partner"].create({"name": "Other Customer", "is_company": True})
        cls.invoice = cls._invoice(cls.contact, "2024-01-10", "2024-02-09", 1200.0)
        cls.other_invoice = cls._invoice(cls.other, "2024-01-12", "2024-02-11", 999.0)
        cls.agreement = cls._agreement(cls.customer, "active")
        cls.draft_agreement = cls._agreement(cls.customer, "draft")
        cls.other_agreement = cls._agreement(cls.other, "active")

    @classmethod
    def _invoice(cls, partner, day, due, amount):
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": day,
                "date": day,
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": []}
                    )
                ],
            }
        )
        move.action_post()
        return move

    @classmethod
    def _agreement(cls, partner, state):
        agreement = (
            cls.env["customer.credit.agreement"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "currency_id": cls.company.currency_id.id,
                    "credit_limit": 5000.0,
                    "date_start": date(2024, 1, 1),
                    "date_end": date(2024, 12, 31),
                }
            )
        )
        if state != "draft":
            agreement._credit_workflow_write({"state": state, "name": f"AGR-{partner.id}"})
        return agreement

    def _get(self, url):
        self.authenticate(PORTAL_LOGIN, PORTAL_LOGIN)
        return self.url_open(url)

    def test_page_shows_own_figures_and_nothing_internal(self):
        response = self._get("/my/credit")
        self.assertEqual(response.status_code, 200)
        html = response.text
        partner = self.customer.with_company(self.company)
        for amount in (5000.0, partner.credit_exposure, partner.credit_available):
            self.assertIn(f'<span class="oe_currency_value">{formatLang(self.env, amount)}', html)
        self.assertIn(self.invoice.name, html)
        days_overdue = (date.today() - date(2024, 2, 9)).days
        self.assertIn(f">{days_overdue}<", html.replace(" ", "").replace("\n", ""))
        self.assertNotIn(self.other_invoice.name, html)
        self.assertIn(self.agreement.name, html)
        self.assertNotIn(self.other_agreement.name, html)
        self.assertNotIn(self.draft_agreement.name or "no draft name", html)
        # nothing internal
        for secret in ("73.25", "AAA", "Excellent", "slow payer", "Score", "Grade"):
            self.assertNotIn(secret, html)

    def test_home_entry_counter(self):
        self.authenticate(PORTAL_LOGIN, PORTAL_LOGIN)
        result = self.make_jsonrpc_request("/my/counters", {"counters": ["credit_page_count"]})
        self.assertEqual(result["credit_page_count"], 1)
        self.customer.credit_portal_hidden = True
        result = self.make_jsonrpc_request("/my/counters", {"counters": ["credit_page_count"]})
        self.assertEqual(result["credit_page_count"], 0)

    def test_hidden_by_the_company_or_for_the_customer(self):
        self.company.credit_portal_page = False
        self.assertEqual(self._get("/my/credit").status_code, 404)
        self.company.credit_portal_page = True
        self.customer.credit_portal_hidden = True
        self.assertEqual(self._get("/my/credit").status_code, 404)
        self.assertEqual(
            self._get("/my/credit/statement?date_from=2024-01-01&date_to=2024-01-31").status_code,
            404,
        )

    def test_statement_downloads(self):
        url = "/my/credit/statement?date_from=2024-01-01&date_to=2024-03-31"
        response = self._get(url + "&format=pdf")
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "Statement%20-%20Portal%20Credit%20Ltd", response.headers["Content-Disposition"]
        )
        self.assertIn(self.invoice.name, response.text)
        self.assertNotIn(self.other_invoice.name, response.text)
        response = self._get(url + "&format=xlsx")
        self.assertEqual(response.status_code, 200)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content), data_only=True).active
        closings = [r[7] for r in sheet.iter_rows(values_only=True) if r[0] == "Closing Balance"]
        self.assertEqual(closings, [1200.0])
        # own id accepted; another customer's id refused
        ok = self._get(f"{url}&partner_id={self.customer.id}")
        self.assertEqual(ok.status_code, 200)
        self.assertEqual(self._get(f"{url}&partner_id={self.other.id}").status_code, 403)
        # bad input: a clear refusal, not a server error
        self.assertEqual(self._get(url + "&format=doc").status_code, 404)
        bad = "/my/credit/statement?date_from=2024-04-01&date_to=2024-03-01"
        self.assertEqual(self._get(bad).status_code, 404)
        self.assertEqual(self._get("/my/credit/statement?date_from=x&date_to=y").status_code, 404)

    def test_agreement_downloads(self):
        response = self._get(f"/my/credit/agreement/{self.agreement.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        for agreement in (self.other_agreement, self.draft_agreement):
            response = self._get(f"/my/credit/agreement/{agreement.id}")
            self.assertEqual(response.status_code, 404)

    def test_backend_xlsx_for_accountants_only(self):
        accountant = new_test_user(
            self.env, login="stmt_xlsx_accountant", groups="account.group_account_invoice"
        )
        seller = new_test_user(
            self.env, login="stmt_xlsx_seller", groups="sales_team.group_sale_salesman"
        )
        url = (
            f"/customer_credit/statement/{self.customer.id}/xlsx"
            "?date_from=2024-01-01&date_to=2024-03-31"
        )
        self.authenticate(accountant.login, accountant.login)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content), data_only=True).active
        closings = [r[7] for r in sheet.iter_rows(values_only=True) if r[0] == "Closing Balance"]
        self.assertEqual(closings, [1200.0])
        self.authenticate(seller.login, seller.login)
        self.assertEqual(self.url_open(url).status_code, 403)
        self.authenticate(PORTAL_LOGIN, PORTAL_LOGIN)
        self.assertEqual(self.url_open(url).status_code, 403)

    def test_downloads_are_read_only(self):
        """The download routes declare a read-only cursor (a read replica serves them)."""
        from ..controllers.portal import CustomerCreditPortal

        for name in (
            "portal_my_credit",
            "portal_my_credit_statement",
            "portal_my_credit_agreement",
        ):
            routing = getattr(CustomerCreditPortal, name).original_routing
            self.assertTrue(routing["readonly"], name)

    def test_tour_page_and_download(self):
        self.start_tour("/my/credit", "customer_credit_portal_credit", login=PORTAL_LOGIN)
