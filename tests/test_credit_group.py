"""Credit groups (集团授信): one limit shared by related customers, each member checked
against its own limit too. Figures computed by hand: tax-free product at 1,000.00,
company currency USD, 'block' by default, tolerance 30 days."""

from contextlib import contextmanager
from datetime import timedelta

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from .common_sale_credit import CreditSaleCommon


class CreditGroupCommon(CreditSaleCommon):
    """Orbit Group (30,000, block): Orbit Alpha (10,000) and Orbit Beta (9,000), both
    subsidiaries of Orbit Holding, and Orbit Gamma (no limit of its own)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.holding = cls._credit_partner("Orbit Holding", limit=0.0)
        cls.alpha = cls._credit_partner("Orbit Alpha", limit=10000.0, parent_id=cls.holding.id)
        cls.beta = cls._credit_partner("Orbit Beta", limit=9000.0, parent_id=cls.holding.id)
        cls.gamma = cls._credit_partner("Orbit Gamma", limit=0.0)
        cls.beta_buyer = cls.env["res.partner"].create(
            {"name": "Buyer at Orbit Beta", "parent_id": cls.beta.id}
        )
        cls.group = (
            cls.env["customer.credit.group"]
            .with_user(cls.manager)
            .create(
                {
                    "name": "Orbit Group",
                    "code": "ORB",
                    "company_id": cls.company.id,
                    "credit_limit": 30000.0,
                    "credit_control_policy": "block",
                    "credit_manager_id": cls.manager.id,
                    "member_ids": [
                        Command.create({"partner_id": partner.id})
                        for partner in (cls.alpha, cls.beta, cls.gamma)
                    ],
                }
            )
        )

    def _invoice(self, partner, amount, currency=None):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "company_id": self.company.id,
                "currency_id": (currency or self.currency).id,
                "invoice_date": self.today,
                "invoice_date_due": self.today + timedelta(days=30),
                "invoice_line_ids": [
                    Command.create({"name": "Goods", "quantity": 1, "price_unit": amount})
                ],
            }
        )
        move.invoice_date_due = self.today + timedelta(days=30)
        move.action_post()
        return move

    def _ledger(self):
        """Alpha 5,000 open; Beta 3,000 open + 2,000 ordered by its buyer; Gamma a draft
        invoice of 1,000: the group's exposure is 11,000."""
        self._invoice(self.alpha, 5000.0)
        self._invoice(self.beta, 3000.0)
        order = self._quote(partner=self.beta_buyer, qty=2)
        order.action_confirm()
        draft = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.gamma.id,
                "company_id": self.company.id,
                "invoice_line_ids": [
                    Command.create({"name": "Goods", "quantity": 1, "price_unit": 1000.0})
                ],
            }
        )
        return draft

    def figures(self, record):
        record.invalidate_recordset()
        return record


@tagged("post_install", "-at_install")
class TestCreditGroup(CreditGroupCommon):
    # ------------------------------------------------------------------ figures

    def test_group_exposure_component_by_component(self):
        self._ledger()
        group = self.figures(self.group)
        self.assertEqual(group.credit_receivable_not_due, 8000.0)
        self.assertEqual(group.credit_orders_uninvoiced, 2000.0)
        self.assertEqual(group.credit_draft_invoices, 1000.0)
        self.assertEqual(group.credit_exposure, 11000.0)
        self.assertEqual(group.credit_available, 19000.0)
        self.assertEqual(group.credit_utilization, 36.67)
        self.assertFalse(group.credit_over_limit)
        shares = {m.partner_id: m for m in group.member_ids}
        self.assertEqual(shares[self.alpha].credit_exposure, 5000.0)
        self.assertEqual(shares[self.alpha].credit_share, 45.45)
        self.assertEqual(shares[self.beta].credit_exposure, 5000.0)
        self.assertEqual(shares[self.gamma].credit_share, 9.09)
        self.assertEqual(shares[self.beta].credit_limit, 9000.0)  # its own limit
        self.assertEqual(shares[self.beta].credit_available, 4000.0)
        # each member's Credit tab: its own figures and its group's
        beta = self.figures(self.beta.with_company(self.company))
        self.assertEqual(beta.credit_exposure, 5000.0)
        self.assertEqual(beta.credit_group_id, self.group)
        self.assertEqual(beta.credit_group_limit, 30000.0)
        self.assertEqual(beta.credit_group_exposure, 11000.0)
        self.assertEqual(beta.credit_group_available, 19000.0)
        self.assertEqual(self.figures(self.beta_buyer).credit_group_id, self.group)
        # one query for a batch of groups
        other = (
            self.env["customer.credit.group"]
            .sudo()
            .create({"name": "Empty Group", "company_id": self.company.id, "credit_limit": 100.0})
        )
        groups = self.group | other
        groups.invalidate_recordset()
        groups.mapped("company_id.credit_overdue_tolerance_days")  # prefetched by a form
        self.env.flush_all()
        queries = self.env.cr.sql_log_count
        values = groups._credit_group_exposure()
        self.assertEqual(self.env.cr.sql_log_count - queries, 1)
        self.assertEqual(
            sum(values[self.group.id].values())
            - values[self.group.id]["credit_overdue_beyond_tolerance"],
            11000.0,
        )
        self.assertNotIn(other.id, values)

    def test_foreign_currency_member_invoice(self):
        """1 USD = 2 EUR: an EUR invoice of 4,000 of a member counts 2,000."""
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        self._invoice(self.gamma, 4000.0, currency=eur)
        self.assertEqual(self.figures(self.group).credit_exposure, 2000.0)

    def test_group_over_limit_filter(self):
        self._ledger()
        Group = self.env["customer.credit.group"]
        self.assertNotIn(self.group, Group.search([("credit_over_limit", "=", True)]))
        self.group.with_user(self.manager).credit_limit = 10999.0
        self.group.invalidate_recordset()
        self.assertIn(self.group, Group.search([("credit_over_limit", "=", True)]))
        self.assertNotIn(self.group, Group.search([("credit_over_limit", "=", False)]))
        self.group.with_user(self.manager).credit_limit = 11000.0
        self.assertNotIn(self.group, Group.search([("credit_over_limit", "=", True)]))
        Partner = self.env["res.partner"].with_company(self.company)
        self.assertIn(self.alpha, Partner.search([("credit_group_id", "=", self.group.id)]))
        self.assertNotIn(self.customer, Partner.search([("credit_group_id", "!=", False)]))

    # ------------------------------------------------------------------ the check

    def test_quotation_checked_against_member_and_group(self):
        self._ledger()  # group 11,000; alpha 5,000
        self.group.with_user(self.manager).credit_limit = 12000.0
        order = self._quote(partner=self.alpha, qty=3, user=self.salesman)
        # alpha: 5,000 + 3,000 = 8,000 <= 10,000; group: 11,000 + 3,000 - 12,000 = 2,000
        self.assertEqual(order.credit_check_state, "blocked")
        banner = order.credit_banner
        group_reason = (
            f"This quotation would take the credit group Orbit Group over its limit by "
            f"{self.fmt(2000)}."
        )
        self.assertIn(group_reason, banner)
        self.assertNotIn("would exceed the credit limit", banner)
        self.assertIn(f"Credit group Orbit Group: {self.fmt(1000)} available", banner)
        # both limits breached: two reasons, each its own
        self.alpha.with_company(self.company).with_user(self.manager).credit_limit = 7000.0
        order.invalidate_recordset()
        with self.assertRaises(UserError) as error:
            order.with_user(self.salesman).action_confirm()
        text = str(error.exception)
        self.assertIn(f"exceed the credit limit by {self.fmt(1000)}", text)
        self.assertIn(group_reason, text)
        self.assertEqual(order.state, "draft")

    def test_group_policy_warn(self):
        self._ledger()
        self.group.with_user(self.manager).write(
            {"credit_limit": 12000.0, "credit_control_policy": "warn"}
        )
        order = self._quote(partner=self.gamma, qty=3)
        self.assertEqual(order.credit_check_state, "warning")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_members_confirmed_together_count_against_the_group(self):
        """Group 11,000 of 14,000: 2,000 for Alpha and 2,000 for Gamma are each within,
        together 1,000 over."""
        self._ledger()
        self.group.with_user(self.manager).credit_limit = 14000.0
        first = self._quote(partner=self.alpha, qty=2)
        second = self._quote(partner=self.gamma, qty=2)
        self.assertEqual(first.credit_check_state, "ok")
        self.assertEqual(second.credit_check_state, "ok")
        with self.assertRaises(UserError) as error:
            (first | second).action_confirm()
        self.assertIn(f"over its limit by {self.fmt(1000)}", str(error.exception))
        first.action_confirm()
        second.invalidate_recordset()
        self.assertEqual(second.credit_check_state, "blocked")

    def test_release_names_the_group_limit(self):
        self._ledger()
        self.group.with_user(self.manager).credit_limit = 12000.0
        order = self._quote(partner=self.gamma, qty=3, user=self.salesman)
        action = (
            order.with_user(self.salesman).with_context(credit_interactive=True).action_confirm()
        )
        wizard = Form(
            self.env["customer.credit.release.request"]
            .with_user(self.salesman)
            .with_context(**action["context"])
        )
        wizard.comment = "The group pays in 10 days"
        wizard.save().action_request()
        release = order.sudo().credit_release_ids
        self.assertIn("group_over_limit", release.reason_codes)
        self.assertIn("credit group Orbit Group", release.reason_lines)
        release.with_user(self.manager).action_approve("Known group")
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(release.state, "used")

    def test_a_contact_of_a_member_orders(self):
        self._ledger()
        self.group.with_user(self.manager).credit_limit = 12000.0
        order = self._quote(partner=self.beta_buyer, qty=2)
        # beta: 5,000 + 2,000 <= 9,000; group 11,000 + 2,000 - 12,000 = 1,000
        self.assertEqual(order.credit_check_state, "blocked")
        self.assertIn(f"over its limit by {self.fmt(1000)}", order.credit_banner)

    # ------------------------------------------------------------------ proposal

    def test_parent_company_proposes_its_subsidiaries(self):
        self.group.member_ids.unlink()
        with Form(self.env["customer.credit.group"].with_user(self.manager)) as form:
            form.parent_partner_id = self.holding
            form.credit_limit = 50000.0
        group = form.record
        self.assertEqual(group.name, "Orbit Holding")
        self.assertEqual(
            set(group.member_ids.partner_id.ids), {self.holding.id, self.alpha.id, self.beta.id}
        )

    # ------------------------------------------------------------------ decisions

    def test_group_decisions_are_recorded(self):
        Decision = self.env["customer.credit.decision"].sudo()
        self.group.with_user(self.manager).credit_limit = 25000.0
        row = Decision.search(
            [("res_model", "=", "customer.credit.group"), ("res_id", "=", self.group.id)],
            order="sequence desc",
            limit=1,
        )
        self.assertEqual(row.kind, "limit")
        self.assertEqual(row.user_id, self.manager)
        self.assertIn("25000", row.new_value)
        added = Decision.search(
            [("kind", "=", "group_member_added"), ("partner_id", "=", self.alpha.id)]
        )
        self.assertEqual(len(added), 1)
        self.group.member_ids.filtered(lambda m: m.partner_id == self.gamma).with_user(
            self.manager
        ).unlink()
        removed = Decision.search(
            [("kind", "=", "group_member_removed"), ("partner_id", "=", self.gamma.id)]
        )
        self.assertEqual(len(removed), 1)

    # ------------------------------------------------------------------ access

    def test_salesperson_reads_but_cannot_change(self):
        self._ledger()
        group = self.group.with_user(self.salesman)
        self.assertEqual(group.credit_exposure, 11000.0)
        self.assertEqual(len(group.member_ids), 3)
        with self.assertRaises(AccessError):
            group.write({"credit_limit": 1e9})
        with self.assertRaises(AccessError):
            self.env["customer.credit.group.member"].with_user(self.salesman).create(
                {"group_id": self.group.id, "partner_id": self.customer.id}
            )
        with self.assertRaises(AccessError):
            group.member_ids[:1].unlink()
        with self.assertRaises(AccessError):
            self.env["customer.credit.group"].with_user(self.salesman).create(
                {"name": "Mine", "credit_limit": 1e9}
            )
        self.assertEqual(self.group.credit_limit, 30000.0)

    # ------------------------------------------------------------------ bad input

    @contextmanager
    def assertRefused(self, text):
        """A ValidationError naming ``text``; the savepoint of assertRaises undoes the rest."""
        with self.assertRaises(ValidationError) as catcher:
            yield
        self.assertIn(text, str(catcher.exception))

    def test_bad_input_is_refused_and_nothing_saved(self):
        Group = self.env["customer.credit.group"].with_user(self.manager)
        Member = self.env["customer.credit.group.member"].with_user(self.manager)
        count = Member.search_count([])
        with self.assertRefused("already a member of the credit group"):
            Group.create(
                {
                    "name": "Second",
                    "company_id": self.company.id,
                    "member_ids": [Command.create({"partner_id": self.alpha.id})],
                }
            )
        with self.assertRefused("is above the limit of its credit group"):
            self.group.with_user(self.manager).credit_limit = 9500.0  # alpha's own is 10,000
        with self.assertRefused("is above the limit of its credit group"):
            self.beta.with_company(self.company).with_user(self.manager).credit_limit = 40000.0
        with self.assertRefused("cannot be negative"):
            Group.create({"name": "Negative", "credit_limit": -1.0})
        with self.assertRefused("is a contact of Orbit Beta"):
            Member.create({"group_id": self.group.id, "partner_id": self.beta_buyer.id})
        other_company = self.setup_other_company(name="Credit Company B")["company"]
        foreign = self.env["res.partner"].create(
            {"name": "Foreign Ltd", "is_company": True, "company_id": other_company.id}
        )
        with self.assertRefused("belongs to the company Credit Company B"):
            Member.sudo().create({"group_id": self.group.id, "partner_id": foreign.id})
        self.assertEqual(Member.search_count([]), count)
        self.assertEqual(self.group.credit_limit, 30000.0)
        self.assertEqual(self.beta.with_company(self.company).credit_limit, 9000.0)


@tagged("post_install", "-at_install")
class TestCreditGroupMonitoring(CreditGroupCommon):
    """Monitoring by group: filters, watchlist and aging grouped by credit group, and the
    setting that lets one member's automatic hold hold the whole group."""

    def test_group_over_limit_filter_on_customers(self):
        self._ledger()  # group 11,000
        Partner = self.env["res.partner"].with_company(self.company)
        self.assertFalse(Partner.search([("credit_group_over_limit", "=", True)]))
        self.group.with_user(self.manager).credit_limit = 10500.0
        over = Partner.search([("credit_group_over_limit", "=", True)])
        self.assertEqual(set(over.ids) >= {self.alpha.id, self.beta.id, self.gamma.id}, True)
        self.assertIn(self.beta_buyer, over)  # contacts follow their company
        self.assertNotIn(self.customer, over)

    def test_watchlist_and_aging_by_group(self):
        self._ledger()
        self.env["customer.credit.watchlist"]._refresh()
        rows = self.env["customer.credit.watchlist"].search(
            [("partner_id", "in", (self.alpha | self.beta).ids)]
        )
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows.credit_group_id, self.group)
        groups = self.env["customer.credit.watchlist"].read_group(
            [("credit_group_id", "=", self.group.id)], ["exposure:sum"], ["credit_group_id"]
        )
        # alpha 5,000 + beta 5,000 + gamma 1,000 (draft): the group exposure
        self.assertEqual(groups[0]["exposure"], 11000.0)
        report = self.env["customer.credit.aging.report"].create(
            {"date_as_of": self.today, "company_ids": [Command.set(self.company.ids)]}
        )
        report._run_aging()
        lines = report.line_ids.filtered(lambda line: line.credit_group_id == self.group)
        self.assertEqual(lines.partner_id, self.alpha | self.beta)
        self.assertEqual(sum(lines.mapped("amount_total")), 8000.0)
        self.assertFalse(
            report.line_ids.filtered(lambda line: line.partner_id == self.customer).credit_group_id
        )

    def _auto_hold(self, partner):
        partner.with_company(self.company).sudo().write(
            {
                "credit_hold": True,
                "credit_hold_auto": True,
                "credit_hold_reason": "Automatic: invoices overdue 60 days or more (level L3).",
            }
        )

    def test_automatic_hold_of_one_member_holds_the_group(self):
        self._auto_hold(self.beta)
        order = self._quote(partner=self.alpha, qty=1)
        self.assertEqual(order.credit_check_state, "ok")  # setting off: beta's affair
        self.company.sudo().credit_group_hold_all = True
        order.invalidate_recordset()
        self.assertEqual(order.credit_check_state, "blocked")
        self.assertIn("Another member of the customer&#39;s credit group", order.credit_banner)
        self.assertIn("Orbit Beta: Automatic: invoices overdue 60 days", order.credit_banner)
        # warn policy does not soften it: a hold blocks
        self.group.with_user(self.manager).credit_control_policy = "warn"
        self.alpha.with_company(self.company).sudo().credit_control_policy = "warn"
        order.invalidate_recordset()
        self.assertEqual(order.credit_check_state, "blocked")
        # a manual hold of a member stays that member's own affair
        self.beta.with_company(self.company).sudo().write({"credit_hold_auto": False})
        order.invalidate_recordset()
        self.assertEqual(order.credit_check_state, "ok")

    def test_only_a_settings_admin_switches_the_group_hold(self):
        with self.assertRaises(AccessError):
            self.company.with_user(self.manager).credit_group_hold_all = True
        self.assertFalse(self.company.credit_group_hold_all)
