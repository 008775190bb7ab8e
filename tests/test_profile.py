from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditProfile(CreditCommon):
    def test_manager_sets_profile_and_changes_are_tracked(self):
        grade_a = self.env.ref("customer_credit.grade_a")
        customer = self.customer.with_user(self.credit_manager).with_context(
            tracking_disable=False, mail_notrack=False
        )
        # Tracking messages are written when the transaction commits (and records created
        # in the same transaction are not tracked): commit points are simulated.
        self.env.cr.precommit.run()
        customer.write({"credit_limit": 5000.0, "credit_grade_id": grade_a.id, "credit_score": 75})
        self.env.cr.precommit.run()
        customer.write({"credit_limit": 8000.0, "credit_control_policy": "warn"})
        self.env.cr.precommit.run()
        customer.write({"credit_hold": True, "credit_hold_reason": "Disputed invoices"})
        self.env.cr.precommit.run()
        self.assertEqual(customer.credit_hold_user_id, self.credit_manager)
        self.assertTrue(customer.credit_hold_date)
        tracked = (
            self.env["mail.tracking.value"]
            .sudo()
            .search([("mail_message_id", "in", self.customer.message_ids.ids)])
        )
        by_field = {}
        for value in tracked:
            by_field.setdefault(value.field_id.name, []).append(value)
        limit_changes = sorted(
            (v.old_value_float, v.new_value_float) for v in by_field["credit_limit"]
        )
        self.assertEqual(limit_changes, [(0.0, 5000.0), (5000.0, 8000.0)])
        self.assertIn("credit_grade_id", by_field)
        self.assertEqual(by_field["credit_grade_id"][0].new_value_char, grade_a.display_name)
        self.assertEqual(by_field["credit_control_policy"][0].new_value_char, "Warn")
        self.assertEqual(by_field["credit_hold"][0].new_value_integer, 1)
        self.assertEqual(by_field["credit_hold_reason"][0].new_value_char, "Disputed invoices")
        self.assertEqual(
            by_field["credit_limit"][0].mail_message_id.author_id, self.credit_manager.partner_id
        )

    def test_grade_default_policy_applies(self):
        self.customer.with_user(self.credit_manager).credit_grade_id = self.env.ref(
            "customer_credit.grade_c"
        )
        self.assertEqual(self.customer.credit_control_policy, "block")
        self.assertEqual(self.customer.credit_policy_effective, "block")

    def test_policy_defaults_to_company_setting(self):
        self.assertFalse(self.customer.credit_control_policy)
        self.company.credit_policy_default = "block"
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.credit_policy_effective, "block")
        self.assertEqual(self.contact.credit_policy_effective, "block")

    def test_contact_shows_company_profile(self):
        self.customer.with_user(self.credit_manager).write(
            {"credit_limit": 3000.0, "credit_grade_id": self.env.ref("customer_credit.grade_aa").id}
        )
        self.assertEqual(self.contact.credit_limit, 3000.0)
        self.assertEqual(self.contact.credit_grade_id.code, "AA")
        # A new contact of the company takes its profile, even created by a salesperson.
        new_contact = (
            self.env["res.partner"]
            .with_user(self.salesman)
            .create({"name": "New buyer", "parent_id": self.customer.id})
        )
        self.assertEqual(new_contact.sudo().credit_limit, 3000.0)

    def test_settings(self):
        settings = (
            self.env["res.config.settings"]
            .sudo()
            .create(
                {
                    "credit_control_enabled": False,
                    "credit_policy_default": "block",
                    "credit_overdue_tolerance_days": 7,
                }
            )
        )
        settings.execute()
        self.assertFalse(self.company.credit_control_enabled)
        self.assertEqual(self.company.credit_policy_default, "block")
        self.assertEqual(self.company.credit_overdue_tolerance_days, 7)

    def test_negative_limit_is_refused(self):
        customer = self.customer.with_user(self.credit_manager)
        customer.credit_limit = 100.0
        with self.assertRaisesText(ValidationError, "cannot be negative"):
            customer.credit_limit = -1.0
        self.env.invalidate_all()
        self.assertEqual(customer.credit_limit, 100.0)

    def test_score_out_of_range_is_refused(self):
        customer = self.customer.with_user(self.credit_manager)
        for score in (-5, 100.5):
            with self.assertRaisesText(ValidationError, "between 0 and 100"):
                customer.credit_score = score
        self.env.invalidate_all()
        self.assertEqual(customer.credit_score, 0.0)

    def test_hold_needs_a_reason(self):
        customer = self.customer.with_user(self.credit_manager)
        with self.assertRaisesText(ValidationError, "Give a reason"):
            customer.credit_hold = True
        self.env.invalidate_all()
        self.assertFalse(customer.credit_hold)

    def test_negative_tolerance_is_refused(self):
        with self.assertRaisesText(ValidationError, "tolerance"):
            self.company.sudo().credit_overdue_tolerance_days = -1

    def test_partner_form_credit_tab(self):
        self.customer.sudo().credit_limit = 1000.0
        self.make_invoice(self.customer, 400.0)
        form = Form(self.customer.with_user(self.credit_manager))
        self.assertEqual(form.credit_exposure, 400.0)
        self.assertEqual(form.credit_available, 600.0)
        form.credit_limit = 2000.0
        form.save()
        self.assertEqual(self.customer.credit_limit, 2000.0)


@tagged("post_install", "-at_install")
class TestCreditSecurity(CreditCommon):
    def test_salesman_reads_but_cannot_change_credit(self):
        self.customer.sudo().write({"credit_limit": 1000.0})
        customer = self.customer.with_user(self.salesman)
        customer.invalidate_recordset()
        self.assertEqual(customer.credit_limit, 1000.0)
        self.assertEqual(customer.credit_available, 1000.0)
        with self.assertRaises(AccessError):
            customer.credit_limit = 99999.0
        with self.assertRaises(AccessError):
            customer.write({"credit_hold": True, "credit_hold_reason": "x"})
        with self.assertRaises(AccessError):
            customer.write({"credit_grade_id": self.env.ref("customer_credit.grade_aaa").id})
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesman).create(
                {"name": "Self-granted", "credit_limit": 50000.0}
            )
        self.env.invalidate_all()
        self.assertEqual(self.customer.credit_limit, 1000.0)
        self.assertFalse(self.customer.credit_hold)

    def test_salesman_still_edits_other_partner_fields(self):
        self.customer.with_user(self.salesman).write({"phone": "+86 10 1234 5678"})
        self.assertEqual(self.customer.phone, "+86 10 1234 5678")

    def test_accountant_reads_but_cannot_change_credit(self):
        customer = self.customer.with_user(self.accountant)
        self.assertEqual(customer.credit_exposure, 0.0)
        with self.assertRaises(AccessError):
            customer.credit_limit = 5.0

    def test_grades_editable_by_managers_only(self):
        grade = self.env.ref("customer_credit.grade_b")
        self.assertEqual(grade.with_user(self.salesman).code, "B")
        with self.assertRaises(AccessError):
            grade.with_user(self.salesman).name = "Renamed"
        grade.with_user(self.credit_manager).name = "Weak (renamed)"

    def test_company_b_user_never_sees_company_a_credit(self):
        company_a = self.company
        company_b = self.setup_other_company(name="Company B")["company"]
        self.customer.sudo().credit_limit = 7000.0
        self.customer.with_user(self.credit_manager).write(
            {
                "credit_hold": True,
                "credit_hold_reason": "A's reason",
                "credit_grade_id": self.env.ref("customer_credit.grade_bb").id,
            }
        )
        self.make_invoice(self.customer, 1234.0)
        user_b = new_test_user(
            self.env,
            login="credit_user_b",
            groups="sales_team.group_sale_salesman,customer_credit.group_credit_manager",
            company_id=company_b.id,
            company_ids=[Command.set(company_b.ids)],
        )
        customer_b = self.customer.with_user(user_b).with_company(company_b)
        customer_b.invalidate_recordset()
        self.assertEqual(customer_b.credit_limit, 0.0)
        self.assertFalse(customer_b.credit_hold)
        self.assertFalse(customer_b.credit_hold_reason)
        self.assertFalse(customer_b.credit_grade_id)
        self.assertEqual(customer_b.credit_exposure, 0.0)
        with self.assertRaises(AccessError):
            self.assertFalse(self.customer.with_user(user_b).with_company(company_a).credit_limit)
        # A company may use its own grade scale instead of the shared one.
        private = (
            self.env["customer.credit.grade"]
            .sudo()
            .create(
                {
                    "code": "A-ONLY",
                    "name": "Company A scale",
                    "score_min": 0,
                    "score_max": 100,
                    "company_id": company_a.id,
                }
            )
        )
        self.assertEqual(self.env["customer.credit.grade"]._grade_for_score(50, company_a), private)
        self.assertEqual(
            self.env["customer.credit.grade"]._grade_for_score(50, company_b).code, "BB"
        )
        self.assertFalse(
            self.env["customer.credit.grade"].with_user(user_b).search([("id", "=", private.id)])
        )
        # Company B's own profile is independent.
        customer_b.credit_limit = 500.0
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.credit_limit, 7000.0)


@tagged("post_install", "-at_install")
class TestCreditViews(CreditCommon):
    def test_salesman_sees_credit_tab_read_only(self):
        self.customer.sudo().credit_limit = 1500.0
        form = Form(self.customer.with_user(self.salesman))
        self.assertEqual(form.credit_limit, 1500.0)
        self.assertEqual(form.credit_available, 1500.0)
        for fname in ("credit_limit", "credit_grade_id", "credit_hold", "credit_control_policy"):
            with self.assertRaises(AssertionError, msg=fname):
                setattr(form, fname, False if fname != "credit_limit" else 1.0)

    def test_customer_list_filters_exist(self):
        arch = (
            self.env["res.partner"]
            .with_user(self.salesman)
            .get_view(self.env.ref("base.view_res_partner_filter").id, "search")["arch"]
        )
        for name in ("credit_over_limit", "credit_on_hold", "credit_overdue"):
            self.assertIn(f'name="{name}"', arch)
        list_arch = (
            self.env["res.partner"]
            .with_user(self.salesman)
            .get_view(self.env.ref("base.view_partner_tree").id, "list")["arch"]
        )
        self.assertIn('name="credit_available"', list_arch)
