from odoo import Command
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestCreditTour(HttpCase):
    def test_release_flow_tour(self):
        company = self.env.company
        company.write({"credit_control_enabled": True, "credit_policy_default": "block"})
        salesman = new_test_user(
            self.env,
            login="tour_salesman",
            password="tour_salesman",
            name="Tour Sales",
            groups="sales_team.group_sale_salesman",
        )
        manager = new_test_user(
            self.env,
            login="tour_credit_manager",
            password="tour_credit_manager",
            name="Tour Credit Manager",
            groups="sales_team.group_sale_salesman_all_leads,customer_credit.group_credit_manager",
        )
        customer = self.env["res.partner"].create(
            {"name": "Tour Over Limit Ltd", "is_company": True}
        )
        customer.sudo().write({"credit_limit": 10000.0, "credit_manager_id": manager.id})
        self.env["product.product"].create(
            {
                "name": "Tour Widget",
                "type": "consu",
                "list_price": 1000.0,
                "taxes_id": [Command.clear()],
            }
        )
        self.start_tour(
            "/odoo/action-sale.action_quotations_with_onboarding",
            "customer_credit_request_release",
            login="tour_salesman",
        )
        order = self.env["sale.order"].search([("partner_id", "=", customer.id)])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "draft")
        release = order.credit_release_ids
        self.assertRecordValues(
            release, [{"state": "pending", "requester_id": salesman.id, "amount_total": 12000.0}]
        )
        self.assertEqual(release.activity_ids.user_id, manager)

        self.start_tour("/odoo", "customer_credit_approve_release", login="tour_credit_manager")
        self.assertRecordValues(
            release,
            [
                {
                    "state": "approved",
                    "decided_by_id": manager.id,
                    "decision_comment": "Approved once: good payment history",
                }
            ],
        )

        self.start_tour(
            f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}",
            "customer_credit_confirm_released",
            login="tour_salesman",
        )
        self.assertEqual(order.state, "sale")
        self.assertEqual(release.state, "used")
