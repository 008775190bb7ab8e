import itertools

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from ..tools.sql_settings import parallel_statement
from .common_sale_credit import CreditSaleCommon


@tagged("post_install", "-at_install")
class TestSaleCreditBanner(CreditSaleCommon):
    def test_banner_updates_while_editing_for_salesman(self):
        self.assertFalse(self.salesman.has_group("account.group_account_invoice"))
        order_form = Form(self.env["sale.order"].with_user(self.salesman))
        order_form.partner_id = self.customer
        with order_form.order_line.new() as line:
            line.product_id = self.product
            line.product_uom_qty = 12
            line.price_unit = 1000.0
            line.tax_id.clear()
        # not saved yet: the banner already shows the excess
        self.assertEqual(order_form.credit_check_state, "blocked")
        self.assertIn(
            f"This quotation would exceed the credit limit by {self.fmt(2000)}.",
            order_form.credit_banner,
        )
        self.assertIn(f"Available credit: {self.fmt(10000)}", order_form.credit_banner)
        with order_form.order_line.edit(0) as line:
            line.product_uom_qty = 5
        self.assertEqual(order_form.credit_check_state, "ok")
        self.assertNotIn("exceed", order_form.credit_banner)
        order = order_form.save()
        self.assertEqual(order.with_user(self.salesman).credit_check_state, "ok")

    def test_banner_overdue_hold_and_breakdown(self):
        self._overdue_invoice(self.customer, 5000.0, days=45)
        self.customer.with_company(self.company).sudo().write(
            {"credit_hold": True, "credit_hold_reason": "Bankrupt rumours"}
        )
        order = self._quote(qty=1, user=self.salesman)
        banner = order.credit_banner
        self.assertIn(
            f"The customer has {self.fmt(5000)} overdue for more than the 30-day tolerance (the oldest for 45 days).",
            banner,
        )
        self.assertIn("The customer is on credit hold: Bankrupt rumours", banner)
        self.assertIn(f"Available credit: {self.fmt(5000)}", banner)
        self.assertIn(f"Overdue: {self.fmt(5000)}", banner)
        self.assertIn("cannot be confirmed without a credit release", banner)

    def test_confirmed_order_not_counted_twice(self):
        first = self._quote(qty=4)
        first.action_confirm()
        second = self._quote(qty=5)
        self.assertIn(f"Available credit: {self.fmt(6000)}", second.credit_banner)
        self.assertEqual(second.credit_check_state, "ok")
        # the confirmed order shows no banner and its own amount is not added again
        self.assertEqual(first.credit_check_state, "none")
        self.assertFalse(first.credit_banner)
        second.action_confirm()
        third = self._quote(qty=2)
        self.assertIn(
            f"This quotation would exceed the credit limit by {self.fmt(1000)}.",
            third.credit_banner,
        )

    def test_filters_blocked_and_warning(self):
        warn_customer = self._credit_partner("Warn Co", limit=1000.0, credit_control_policy="warn")
        blocked = self._quote(qty=11, user=self.salesman)
        ok = self._quote(qty=1, user=self.salesman)
        warned = self._quote(partner=warn_customer, qty=2, user=self.salesman)
        SaleOrder = self.env["sale.order"].with_user(self.salesman).with_company(self.company)
        domain = [("id", "in", (blocked | ok | warned).ids)]
        self.assertEqual(
            SaleOrder.search(domain + [("credit_check_state", "=", "blocked")]).ids, blocked.ids
        )
        self.assertEqual(
            SaleOrder.search(domain + [("credit_check_state", "=", "warning")]).ids, warned.ids
        )
        self.assertEqual(
            sorted(SaleOrder.search(domain + [("credit_check_state", "!=", "blocked")]).ids),
            sorted((ok | warned).ids),
        )
        # several outcomes; the negative forms never meet a NULL in NOT IN
        both = [("credit_check_state", "in", ["blocked", "warning"])]
        self.assertEqual(
            sorted(SaleOrder.search(domain + both).ids), sorted((blocked | warned).ids)
        )
        neither = [("credit_check_state", "not in", ["blocked", "warning"])]
        self.assertEqual(SaleOrder.search(domain + neither).ids, ok.ids)
        self.assertEqual(SaleOrder.search_count(domain + [("credit_check_state", "=", "ok")]), 1)

    def test_filter_runs_in_parallel_and_gives_the_costs_back(self):
        """The outcomes are computed with the parallel costs at zero (a plan the
        workers share), and the transaction gets its own costs back after."""

        def costs():
            self.env.cr.execute(
                "SELECT current_setting('parallel_setup_cost'),"
                " current_setting('parallel_tuple_cost')"
            )
            return self.env.cr.fetchone()

        self.env.cr.execute("SET LOCAL parallel_setup_cost = 1234")
        before = costs()
        with parallel_statement(self.env.cr):
            self.assertEqual(costs(), ("0", "0"))
        self.assertEqual(costs(), before)
        blocked = self._quote(qty=11, user=self.salesman)
        SaleOrder = self.env["sale.order"].with_user(self.salesman).with_company(self.company)
        self.assertIn(blocked, SaleOrder.search([("credit_check_state", "=", "blocked")]))
        self.assertEqual(costs(), before)

    def test_filters_agree_with_the_check_in_every_case(self):
        """The filters search in SQL (tools/credit_check.quotation_outcomes_sql): every
        combination of policy, hold, grade, limit, overdue and amount, credit group
        members (group limit, group policy, a member held automatically) and the
        quotations the SQL leaves to the check (a currency without a rate) give the
        outcome the check computes."""
        grade_d = self.env.ref("customer_credit.grade_d")
        grade_d.sudo().block_sales = True
        self.company.sudo().credit_group_hold_all = True
        orders = self.env["sale.order"]
        combos = itertools.product(
            (False, "none", "warn", "block"),
            (False, True),
            (False, True),
            (0.0, 5000.0),
            (0, 10, 45),
        )
        for n, (policy, hold, grade, limit, late) in enumerate(combos):
            partner = self._credit_partner(
                f"Case {n}",
                limit=limit,
                credit_control_policy=policy,
                credit_hold=hold,
                credit_hold_reason=hold and "Disputed",
                credit_grade_id=grade and grade_d.id,
            )
            if late:
                self._overdue_invoice(partner, 2000.0, days=late)
            orders |= self._quote(partner=partner, qty=1) | self._quote(partner=partner, qty=4)
        members = [
            self._credit_partner(f"Member {n}", limit=amount)
            for n, amount in enumerate((0.0, 3000.0, 20000.0, 20000.0, 0.0))
        ]
        for name, policy, limit, group_members in (
            ("Warn Group", "warn", 8000.0, members[:2]),
            ("Block Group", "block", 50000.0, members[2:]),
        ):
            self.env["customer.credit.group"].with_user(self.manager).create(
                {
                    "name": name,
                    "company_id": self.company.id,
                    "credit_limit": limit,
                    "credit_control_policy": policy,
                    "credit_manager_id": self.manager.id,
                    "member_ids": [Command.create({"partner_id": m.id}) for m in group_members],
                }
            )
        self._overdue_invoice(members[0], 6000.0, days=5)
        members[4].with_company(self.company).sudo().write(
            {"credit_hold": True, "credit_hold_auto": True, "credit_hold_reason": "L3"}
        )
        for member in members:
            orders |= self._quote(partner=member, qty=1) | self._quote(partner=member, qty=5)
        no_rate = self.env["res.currency"].create({"name": "XCQ", "symbol": "XQ"})
        pricelist = self.env["product.pricelist"].create(
            {"name": "XCQ prices", "currency_id": no_rate.id, "company_id": self.company.id}
        )
        orders |= self._quote(partner=members[1], qty=9, pricelist_id=pricelist.id)
        self.assertEqual(orders[-1].currency_id, no_rate)
        orders.invalidate_recordset()
        expected = {order.id: order.credit_check_state for order in orders}
        self.assertEqual(set(expected.values()), {"none", "ok", "warning", "blocked"})
        found = dict(self.env["sale.order"]._credit_quotation_outcomes())
        self.assertEqual({oid: found.get(oid) for oid in expected}, expected)
        SaleOrder = self.env["sale.order"].with_company(self.company)
        for state in ("none", "ok", "warning", "blocked"):
            self.assertEqual(
                set(
                    SaleOrder.search(
                        [("id", "in", orders.ids), ("credit_check_state", "=", state)]
                    ).ids
                ),
                {oid for oid, outcome in expected.items() if outcome == state},
                state,
            )


@tagged("post_install", "-at_install")
class TestSaleCreditConfirm(CreditSaleCommon):
    def test_block_lists_every_reason_and_writes_nothing(self):
        self._overdue_invoice(self.customer, 5000.0, days=45)
        grade_d = self.env.ref("customer_credit.grade_d")
        grade_d.sudo().block_sales = True
        self.customer.with_company(self.company).sudo().write(
            {
                "credit_hold": True,
                "credit_hold_reason": "Bankrupt rumours",
                "credit_grade_id": grade_d.id,
                "credit_control_policy": "block",
            }
        )
        order = self._quote(qty=7, user=self.salesman)
        messages = len(order.message_ids)
        with self.assertRaises(UserError) as error:
            order.with_user(self.salesman).action_confirm()
        text = str(error.exception)
        self.assertIn(order.name, text)
        self.assertIn(f"exceed the credit limit by {self.fmt(2000)}", text)
        self.assertIn(
            f"{self.fmt(5000)} overdue for more than the 30-day tolerance (the oldest for 45 days)",
            text,
        )
        self.assertIn("credit hold: Bankrupt rumours", text)
        self.assertIn("credit grade D", text)
        self.assertIn("Request Credit Release", text)
        self.assertEqual(order.state, "draft")
        self.assertEqual(len(order.message_ids), messages)

    def test_button_returns_release_wizard(self):
        order = self._quote(qty=11, user=self.salesman)
        action = (
            order.with_user(self.salesman).with_context(credit_interactive=True).action_confirm()
        )
        self.assertEqual(action["res_model"], "customer.credit.release.request")
        self.assertEqual(order.state, "draft")
        wizard = Form(
            self.env["customer.credit.release.request"]
            .with_user(self.salesman)
            .with_context(**action["context"])
        )
        self.assertIn(f"exceed the credit limit by {self.fmt(1000)}", wizard.reasons_html)

    def test_warn_policy_confirms_and_logs_reasons(self):
        self.customer.with_company(self.company).sudo().credit_control_policy = "warn"
        order = self._quote(qty=12, user=self.salesman)
        self.assertEqual(order.credit_check_state, "warning")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertIn(
            f"exceed the credit limit by {self.fmt_html(2000)}", order.message_ids[0].body
        )
        self.assertIn("Confirmed despite a credit warning", order.message_ids[0].body)

    def test_list_multi_confirm_sums_orders_of_the_call(self):
        first = self._quote(qty=6)
        second = self._quote(qty=6)
        other_customer = self._quote(partner=self._credit_partner("Fine Co", limit=50000), qty=6)
        self.assertEqual(first.credit_check_state, "ok")
        self.assertEqual(second.credit_check_state, "ok")
        orders = (first | second | other_customer).with_user(self.salesman)
        with self.assertRaises(UserError) as error:
            orders.with_context(credit_interactive=True).action_confirm()
        self.assertIn(first.name, str(error.exception))
        self.assertIn(second.name, str(error.exception))
        self.assertNotIn(other_customer.name, str(error.exception))
        self.assertIn(f"exceed the credit limit by {self.fmt(2000)}", str(error.exception))
        self.assertEqual(set(orders.mapped("state")), {"draft"})
        (first | other_customer).action_confirm()
        self.assertEqual((first | other_customer).mapped("state"), ["sale", "sale"])

    def test_duplicated_quotation_is_checked(self):
        order = self._quote(qty=9)
        order.action_confirm()
        duplicate = order.copy()
        self.assertEqual(duplicate.credit_check_state, "blocked")
        with self.assertRaisesRegex(UserError, "exceed the credit limit"):
            duplicate.action_confirm()
        self.assertEqual(duplicate.state, "draft")

    def test_contact_orders_count_for_the_company(self):
        contact = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": self.customer.id, "type": "contact"}
        )
        self._quote(partner=contact, qty=8).action_confirm()
        with self.assertRaisesRegex(UserError, "exceed the credit limit"):
            self._quote(qty=3).action_confirm()

    def test_block_policy_without_limit(self):
        no_limit = self._credit_partner("No Limit Co", limit=0.0, credit_control_policy="block")
        order = self._quote(partner=no_limit, qty=1)
        with self.assertRaisesRegex(UserError, "has no credit limit"):
            order.action_confirm()
        warn_no_limit = self._credit_partner(
            "Warn No Limit", limit=0.0, credit_control_policy="warn"
        )
        order = self._quote(partner=warn_no_limit, qty=1000)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_switched_off_company_or_policy_none(self):
        none_customer = self._credit_partner(
            "Trusted Co", limit=100.0, credit_control_policy="none"
        )
        order = self._quote(partner=none_customer, qty=5)
        self.assertEqual(order.credit_check_state, "none")
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.company.credit_control_enabled = False
        order = self._quote(qty=50)
        self.assertEqual(order.credit_check_state, "none")
        self.assertFalse(order.credit_banner)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_currency_without_rate_is_refused(self):
        currency = self.env["res.currency"].create(
            {"name": "ZZC", "symbol": "Z", "rounding": 0.01, "active": True}
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "ZZC prices", "currency_id": currency.id, "company_id": self.company.id}
        )
        order = self._quote(qty=1, pricelist_id=pricelist.id)
        self.assertEqual(order.currency_id, currency)
        self.assertIn("ZZC has no exchange rate", order.credit_banner)
        with self.assertRaisesRegex(UserError, "ZZC has no exchange rate"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")
        self.env["res.currency.rate"].create(
            {
                "currency_id": currency.id,
                "rate": 2.0,
                "company_id": self.company.id,
                "name": "2000-01-01",
            }
        )
        order.invalidate_recordset()
        self.assertEqual(order.currency_id, currency)

    def test_foreign_currency_amount_converted(self):
        currency = self.setup_other_currency("CHF", rates=[("2000-01-01", 2.0)])
        pricelist = self.env["product.pricelist"].create(
            {"name": "CHF prices", "currency_id": currency.id, "company_id": self.company.id}
        )
        # 18 x 1,000.00 CHF at 2 CHF per company unit = 9,000.00 company currency
        order = self._quote(qty=18, pricelist_id=pricelist.id)
        self.assertEqual(order.credit_check_state, "ok")
        order.order_line.write({"product_uom_qty": 22, "price_unit": 1000.0})
        self.assertIn(f"exceed the credit limit by {self.fmt(1000)}", order.credit_banner)
