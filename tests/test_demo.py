from odoo.tests import TransactionCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    def test_demo_customers_cover_every_status(self):
        """credit_demo opens on customers in every status (demo data only)."""
        lumen = self.env.ref("customer_credit.demo_customer_lumen", raise_if_not_found=False)
        if not lumen:
            self.skipTest("demo data not loaded")  # counted as a failure by make test
        expected = {
            "demo_customer_lumen": "ok",
            "demo_customer_orbit": "near",
            "demo_customer_delta": "over",
            "demo_customer_silkroad": "overdue",
            "demo_customer_panda": "hold",
            "demo_customer_coastal": "no_limit",
        }
        for xmlid, status in expected.items():
            partner = self.env.ref(f"customer_credit.{xmlid}")
            self.assertEqual(partner.credit_status, status, xmlid)
        nordic = self.env.ref("customer_credit.demo_customer_nordic")
        self.assertTrue(
            nordic.invoice_ids.filtered(lambda m: m.currency_id != m.company_currency_id),
            "one invoice in a foreign currency",
        )
        riverside = self.env.ref("customer_credit.demo_customer_riverside")
        self.assertTrue(riverside.invoice_ids.filtered(lambda m: m.payment_state == "partial"))
        self.assertIn(
            self.env.ref("customer_credit.demo_customer_delta"),
            self.env["res.partner"].search([("credit_over_limit", "=", True)]),
        )

    def test_demo_credit_group(self):
        """One group of three members, one near its sub-limit, the group near its limit."""
        group = self.env.ref("customer_credit.demo_credit_group_orbit", raise_if_not_found=False)
        if not group:
            self.skipTest("demo data not loaded")  # counted as a failure by make test
        self.assertEqual(len(group.member_ids), 3)
        self.assertGreaterEqual(group.credit_utilization, 80.0)
        self.assertLess(group.credit_utilization, 100.0)
        logistics = self.env.ref("customer_credit.demo_customer_orbit_logistics")
        self.assertEqual(logistics.credit_status, "near")
        self.assertEqual(logistics.credit_group_id, group)
