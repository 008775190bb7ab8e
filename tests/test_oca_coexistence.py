"""customer_credit beside OCA account_financial_risk + sale_financial_risk (issue 10).

Collected only by the second run of `make test`, whose database also installs the two OCA
modules (`--test-tags oca_coexistence/customer_credit`); the main run excludes the tag.
"""

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from .common_sale_credit import CreditSaleCommon


@tagged("post_install", "-at_install", "oca_coexistence")
class TestOcaCoexistence(CreditSaleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Partner = cls.env["res.partner"].with_company(cls.company)

    def _column_type(self, column):
        self.env.cr.execute(
            "SELECT data_type FROM information_schema.columns"
            " WHERE table_name = 'res_partner' AND column_name = %s",
            (column,),
        )
        return self.env.cr.fetchone()[0]

    def test_both_modules_installed_and_columns_kept(self):
        installed = self.env["ir.module.module"].search(
            [("name", "in", ["account_financial_risk", "sale_financial_risk"])]
        )
        self.assertEqual(set(installed.mapped("state")), {"installed"})
        self.assertEqual(self._column_type("credit_control_policy"), "jsonb")
        self.assertEqual(self._column_type("credit_policy"), "character varying")

    def test_read_and_write_credit_fields_of_both(self):
        partner = self.customer.with_company(self.company).with_user(self.manager)
        partner.write({"credit_control_policy": "warn", "credit_limit": 12000.0})
        partner.sudo().write(
            {
                "credit_policy": "Cash on delivery above 5k",
                "risk_invoice_open_include": True,
                "risk_invoice_open_limit": 8000.0,
                "risk_sale_order_include": True,
            }
        )
        self.env.invalidate_all()
        values = self.Partner.with_user(self.manager).search_read(
            [("id", "=", self.customer.id)],
            [
                "credit_control_policy",
                "credit_policy_effective",
                "credit_limit",
                "credit_exposure",
                "credit_policy",
                "risk_invoice_open_include",
                "risk_invoice_open_limit",
                "risk_total",
                "risk_exception",
            ],
        )[0]
        self.assertEqual(values["credit_control_policy"], "warn")
        self.assertEqual(values["credit_policy_effective"], "warn")
        self.assertEqual(values["credit_limit"], 12000.0)
        self.assertEqual(values["credit_policy"], "Cash on delivery above 5k")
        self.assertTrue(values["risk_invoice_open_include"])
        self.assertEqual(values["risk_invoice_open_limit"], 8000.0)
        self.assertFalse(values["risk_exception"])
        # every partner reads, as the salesperson too (the original failure)
        self.assertTrue(self.Partner.with_user(self.salesman).search_read([], ["name"]))
        self.assertTrue(self.Partner.search([("credit_control_policy", "=", "warn")]))

    def test_block_policy_blocks_quotation_and_exposure(self):
        confirmed = self._quote(qty=4)
        confirmed.action_confirm()
        self.assertEqual(confirmed.state, "sale")
        customer = self.customer.with_company(self.company).with_user(self.manager)
        self.assertEqual(customer.credit_orders_uninvoiced, 4000.0)
        self.assertEqual(customer.credit_exposure, 4000.0)
        self.assertEqual(customer.credit_available, 6000.0)
        order = self._quote(qty=7, user=self.salesman)
        with self.assertRaises(UserError) as error:
            order.with_user(self.salesman).action_confirm()
        self.assertIn(f"exceed the credit limit by {self.fmt(1000)}", str(error.exception))
        self.assertEqual(order.state, "draft")

    def test_partner_form(self):
        with Form(self.customer.with_company(self.company).with_user(self.manager)) as form:
            self.assertEqual(form.credit_limit, 10000.0)
            form.credit_control_policy = "warn"
        customer = self.customer.with_company(self.company)
        self.assertEqual(customer.credit_control_policy, "warn")
        self.assertEqual(customer.credit_policy_effective, "warn")

    def test_import_from_oca_credit_risk(self):
        # settings are created by an administrator; the button runs as the credit manager
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        self.assertTrue(settings.credit_oca_risk_installed)
        settings = settings.with_user(self.manager)
        controlled = self._credit_partner("OCA Controlled", limit=0.0)
        controlled.sudo().write(
            {
                "risk_invoice_open_include": True,
                "risk_invoice_open_limit": 5000.0,
                "risk_sale_order_include": True,
                "risk_sale_order_limit": 2000.0,
                "risk_invoice_draft_limit": 900.0,  # not included: not counted
            }
        )
        decided = self._credit_partner(
            "Already Decided", limit=3000.0, credit_control_policy="warn"
        )
        decided.sudo().write({"risk_invoice_unpaid_include": True})
        limited = self._credit_partner("Limit Set", limit=5000.0)
        limited.sudo().write({"risk_invoice_open_include": True})
        untouched = self._credit_partner("Not Controlled By OCA", limit=0.0)
        untouched.sudo().write({"risk_invoice_open_limit": 4000.0})

        action = settings.action_credit_import_oca_risk()
        self.assertEqual(action["params"]["message"], "2 customers updated from OCA credit risk.")
        controlled = controlled.with_company(self.company)
        self.assertEqual(controlled.credit_control_policy, "block")
        self.assertEqual(controlled.credit_limit, 7000.0)
        limited = limited.with_company(self.company)
        self.assertEqual(limited.credit_control_policy, "block")
        self.assertEqual(limited.credit_limit, 5000.0)
        decided = decided.with_company(self.company)
        self.assertEqual(decided.credit_control_policy, "warn")
        self.assertEqual(decided.credit_limit, 3000.0)
        untouched = untouched.with_company(self.company)
        self.assertFalse(untouched.credit_control_policy)
        self.assertEqual(untouched.credit_limit, 0.0)
        # the import is a recorded credit decision by the manager
        ledger = self.env["customer.credit.decision"].search([("partner_id", "=", controlled.id)])
        self.assertEqual(set(ledger.mapped("kind")), {"policy", "limit"})

        # a company allowing confirmations over the risk gets the warn policy
        self.company.allow_overrisk_sale_confirmation = True
        other = self._credit_partner("Allowed Over Risk", limit=1000.0)
        other.sudo().write({"risk_invoice_open_include": True})
        settings.action_credit_import_oca_risk()
        self.assertEqual(other.with_company(self.company).credit_control_policy, "warn")

    def test_import_needs_a_credit_manager(self):
        controlled = self._credit_partner("OCA Controlled", limit=0.0)
        controlled.sudo().write({"risk_invoice_open_include": True})
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        with self.assertRaises(AccessError):
            settings.with_user(self.salesman).action_credit_import_oca_risk()
        self.assertFalse(controlled.with_company(self.company).credit_control_policy)
