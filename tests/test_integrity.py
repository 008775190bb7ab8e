from datetime import timedelta

from odoo import Command
from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common_sale_credit import CreditSaleCommon


@tagged("post_install", "-at_install")
class TestWorkflowIntegrity(CreditSaleCommon):
    """Every control holds at the data layer: what a caller of create/write can and
    cannot do, on each decision model and on orders."""

    def _release(self, order, user=None, comment="Customer pays Friday"):
        return (
            self.env["customer.credit.release"]
            .with_user(user or self.salesman)
            .create({"order_id": order.id, "request_comment": comment})
        )

    def _count(self, model):
        return self.env[model].sudo().search_count([])

    # ------------------------------------------------------------------ releases

    def test_release_created_approved_is_refused(self):
        order = self._quote(qty=12, user=self.salesman)
        before = self._count("customer.credit.release")
        for vals in (
            {"state": "approved"},
            {"reason_codes": "hold,grade,no_limit,over_limit,overdue"},
            {"decided_by_id": self.manager.id},
            {"requester_id": self.manager.id},
            {"amount_total": 1.0},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.env["customer.credit.release"].with_user(self.salesman).create(
                    dict({"order_id": order.id, "request_comment": "please"}, **vals)
                )
        with self.assertRaises(AccessError):
            self.env["customer.credit.release"].with_user(self.salesman).with_context(
                default_state="approved"
            ).create({"order_id": order.id, "request_comment": "please"})
        self.assertEqual(self._count("customer.credit.release"), before)
        with self.assertRaises(UserError):
            order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_release_reasons_come_from_the_check(self):
        order = self._quote(qty=12, user=self.salesman)
        release = self._release(order)
        self.assertEqual(release.reason_codes, "over_limit")
        self.assertIn(f"exceed the credit limit by {self.fmt(2000)}", release.reason_lines)
        within = self._quote(qty=1, user=self.salesman)
        with self.assertRaises(UserError):
            self._release(within)
        self.assertFalse(within.credit_release_ids)

    def test_release_fields_frozen_for_managers(self):
        order = self._quote(qty=12, user=self.salesman)
        other = self._quote(qty=15, user=self.salesman)
        release = self._release(order)
        release.with_user(self.manager).action_approve("Known customer")
        for vals in (
            {"order_id": other.id},
            {"state": "approved"},
            {"reason_codes": "over_limit,hold"},
            {"request_comment": "changed"},
            {"decided_by_id": self.manager2.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                release.with_user(self.manager2).write(vals)
        self.assertEqual(release.order_id, order)
        self.assertEqual(release.decided_by_id, self.manager)
        with self.assertRaises(UserError):
            release.with_user(self.manager).copy()
        with self.assertRaises(UserError):
            other.with_user(self.salesman).action_confirm()
        self.assertEqual(other.state, "draft")

    def test_requester_never_decides_and_deputy_stands_in(self):
        order = self._quote(qty=12, user=self.manager)
        release = self._release(order, user=self.manager)
        with self.assertRaises(UserError):
            release.with_user(self.manager).action_approve("mine")
        self.assertEqual(release.state, "pending")
        deputy = new_test_user(
            self.env,
            login="credit_deputy",
            name="Dora Deputy",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        with self.assertRaises(AccessError):
            release.with_user(deputy).action_approve("not yet deputy")
        self.company.credit_deputy_approver_id = deputy
        release.with_user(deputy).action_approve("As deputy")
        self.assertEqual(release.state, "approved")
        self.assertEqual(release.decided_by_id, deputy)

    def test_line_change_and_back_voids_release(self):
        order = self._quote(qty=12, user=self.salesman)
        release = self._release(order)
        release.with_user(self.manager).action_approve("OK once")
        line = order.order_line
        line.with_user(self.salesman).write({"price_unit": 900.0})
        line.with_user(self.salesman).write({"price_unit": 1000.0})
        self.assertEqual(release.state, "void")
        with self.assertRaises(UserError):
            order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_new_line_voids_release(self):
        order = self._quote(qty=12, user=self.salesman)
        release = self._release(order)
        self.env["sale.order.line"].with_user(self.salesman).create(
            {"order_id": order.id, "product_id": self.product.id, "product_uom_qty": 0.0}
        )
        self.assertEqual(release.state, "void")

    # ------------------------------------------------------------------ confirmation paths

    def test_write_state_sale_runs_the_check(self):
        order = self._quote(qty=12, user=self.salesman)
        with self.assertRaises(UserError):
            order.with_user(self.salesman).write({"state": "sale"})
        order.invalidate_recordset()
        self.assertEqual(order.state, "draft")
        within = self._quote(qty=2, user=self.salesman)
        within.with_user(self.salesman).write({"state": "sale"})
        self.assertEqual(within.state, "sale")

    def test_create_confirmed_order_refused(self):
        before = self._count("sale.order")
        with self.assertRaises(UserError):
            self.env["sale.order"].with_user(self.salesman).create(
                {"partner_id": self.customer.id, "state": "sale"}
            )
        with self.assertRaises(UserError):
            self.env["sale.order"].with_user(self.salesman).with_context(
                default_state="sale"
            ).create({"partner_id": self.customer.id})
        self.assertEqual(self._count("sale.order"), before)

    def test_duplicate_is_a_quotation_checked_again(self):
        order = self._quote(qty=2, user=self.salesman)
        order.with_user(self.salesman).action_confirm()
        copy = order.with_user(self.salesman).copy()
        self.assertEqual(copy.state, "draft")
        copy.order_line.product_uom_qty = 12
        with self.assertRaises(UserError):
            copy.with_user(self.salesman).action_confirm()

    def test_portal_context_from_a_salesperson_is_ignored(self):
        order = self._quote(qty=12, user=self.salesman)
        for key in ("credit_portal", "credit_interactive_skip", "bypass_risk", "credit_skip"):
            with self.subTest(key=key), self.assertRaises(UserError):
                order.with_user(self.salesman).with_context(**{key: True}).action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertFalse(order.credit_release_ids)

    def test_hold_blocks_whatever_the_policy(self):
        for policy in ("warn", "none"):
            with self.subTest(policy=policy):
                partner = self._credit_partner(
                    f"Held {policy}",
                    limit=100000.0,
                    credit_control_policy=policy,
                    credit_hold=True,
                    credit_hold_reason="Cheque bounced",
                )
                order = self._quote(partner=partner, qty=1, user=self.salesman)
                self.assertEqual(order.credit_check_state, "blocked")
                with self.assertRaises(UserError):
                    order.with_user(self.salesman).action_confirm()
                self.assertEqual(order.state, "draft")

    # ------------------------------------------------------------------ confirmed orders

    def test_raising_a_confirmed_order_is_checked(self):
        order = self._quote(qty=8, user=self.salesman)
        order.with_user(self.salesman).action_confirm()
        line = order.order_line
        with self.assertRaises(UserError) as caught:
            line.with_user(self.salesman).write({"product_uom_qty": 12})
        self.assertIn("Request Credit Release", str(caught.exception))
        line.invalidate_recordset()
        self.assertEqual(line.product_uom_qty, 8)
        with self.assertRaises(UserError):
            line.with_user(self.salesman).write({"price_unit": 1300.0})
        with self.assertRaises(UserError):
            order.with_user(self.salesman).write(
                {
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": 3,
                                "price_unit": 1000.0,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ]
                }
            )
        self.assertEqual(len(order.order_line), 1)
        # within the limit: allowed; lowering: always allowed
        line.with_user(self.salesman).write({"product_uom_qty": 9})
        self.assertEqual(order.amount_total, 9000.0)
        line.with_user(self.salesman).write({"product_uom_qty": 4})
        self.assertEqual(order.amount_total, 4000.0)

    def test_raising_a_confirmed_order_under_warn_is_logged(self):
        partner = self._credit_partner("Warned Co", limit=10000.0, credit_control_policy="warn")
        order = self._quote(partner=partner, qty=8, user=self.salesman)
        order.with_user(self.salesman).action_confirm()
        order.order_line.with_user(self.salesman).write({"product_uom_qty": 12})
        self.assertEqual(order.amount_total, 12000.0)
        self.assertIn("credit warning", order.message_ids[0].body)

    # ------------------------------------------------------------------ limit requests

    def test_limit_request_workflow_fields_refused(self):
        request = (
            self.env["customer.credit.limit.request"]
            .with_user(self.salesman)
            .create(
                {
                    "partner_id": self.customer.id,
                    "requested_limit": 20000.0,
                    "limit_type": "temporary",
                    "valid_until": fields.Date.today() + timedelta(days=10),
                    "reason": "Peak",
                }
            )
        )
        for vals in (
            {"state": "approved"},
            {"previous_limit": 10000000},
            {"state": "approved", "previous_limit": 10000000, "valid_until": fields.Date.today()},
            {"requested_by_id": self.manager.id},
            {"manager_approver_id": self.manager.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                request.with_user(self.salesman).write(vals)
        self.assertEqual(request.state, "draft")
        self.assertFalse(request.previous_limit)
        request.with_user(self.salesman).action_submit()
        with self.assertRaises(AccessError):
            request.with_user(self.manager).write({"requested_by_id": self.manager2.id})
        with self.assertRaises(UserError):
            request.with_user(self.manager).write({"partner_id": self.env.company.partner_id.id})
        self.assertEqual(request.requested_by_id, self.salesman)
        with self.assertRaises(AccessError):
            self.env["customer.credit.limit.request"].with_user(self.salesman).create(
                {
                    "partner_id": self.customer.id,
                    "requested_limit": 1.0,
                    "reason": "x",
                    "state": "approved",
                }
            )

    # ------------------------------------------------------------------ partners

    def test_hold_who_and_when_are_system_fields(self):
        partner = self.customer.with_company(self.company)
        for user in (self.salesman, self.manager):
            for vals in (
                {"credit_hold_user_id": self.manager2.id},
                {"credit_hold_date": fields.Datetime.now()},
            ):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError):
                    partner.with_user(user).write(vals)
        partner.with_user(self.manager).write(
            {"credit_hold": True, "credit_hold_reason": "Bounced cheque"}
        )
        self.assertEqual(partner.sudo().credit_hold_user_id, self.manager)
        self.assertTrue(partner.sudo().credit_hold_date)
        with self.assertRaises(AccessError):
            partner.with_user(self.salesman).write({"credit_hold": False})
        self.assertTrue(partner.sudo().credit_hold)

    def test_partner_changes_are_recorded(self):
        partner = self.customer.with_company(self.company)
        Decision = self.env["customer.credit.decision"].sudo()
        partner.with_user(self.manager).write({"credit_limit": 25000.0})
        partner.with_user(self.manager).write(
            {"credit_hold": True, "credit_hold_reason": "Bounced cheque"}
        )
        partner.with_user(self.manager).write({"credit_hold": False})
        rows = Decision.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)],
            order="sequence",
        )
        self.assertEqual(rows.mapped("kind")[-3:], ["limit", "hold", "hold_lifted"])
        limit_row = rows.filtered(lambda r: r.kind == "limit")[-1]
        self.assertEqual(limit_row.user_id, self.manager)
        self.assertEqual(float(limit_row.old_value), 10000.0)
        self.assertEqual(float(limit_row.new_value), 25000.0)
        self.assertEqual(rows.filtered(lambda r: r.kind == "hold").comment, "Bounced cheque")
        self.assertFalse(Decision._verify_chain(self.company))

    def test_release_lifecycle_is_recorded(self):
        order = self._quote(qty=12, user=self.salesman)
        release = self._release(order)
        release.with_user(self.manager).action_approve("Known customer")
        order.with_user(self.salesman).action_confirm()
        kinds = (
            self.env["customer.credit.decision"]
            .sudo()
            .search([("res_model", "=", release._name), ("res_id", "=", release.id)])
            .mapped("kind")
        )
        self.assertEqual(sorted(kinds), ["release_approved", "release_requested", "release_used"])


@tagged("post_install", "-at_install")
class TestConfigurationAndCaseIntegrity(CreditSaleCommon):
    """No context key relaxes a validation; collection cases keep what the system set."""

    def test_scorecard_weights_checked_whatever_the_context(self):
        scorecard = self.env.ref("customer_credit.scorecard_default")
        criterion = scorecard.criterion_ids[:1]
        weight = criterion.weight
        for key in ("credit_scorecard_writing", "credit_scorecard_loading"):
            with self.subTest(key=key), self.assertRaises(ValidationError):
                criterion.with_user(self.manager).with_context(**{key: True}).write(
                    {"weight": weight + 5}
                )
        self.assertEqual(criterion.weight, weight)

    def test_grade_gaps_checked_whatever_the_context(self):
        grade = self.env["customer.credit.grade"].search(
            [("company_id", "=", False)], order="score_min desc", limit=1
        )
        score_min = grade.score_min
        with self.assertRaises(ValidationError):
            grade.with_user(self.manager).with_context(credit_grade_loading=True).write(
                {"score_min": score_min + 3}
            )
        self.assertEqual(grade.score_min, score_min)

    def test_collection_case_system_fields(self):
        Case = self.env["customer.credit.collection.case"].with_user(self.salesman)
        before = Case.sudo().search_count([])
        for vals in (
            {"promise_state": "kept"},
            {"close_reason": "paid"},
            {"amount_opening": 1.0},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                Case.create(dict({"partner_id": self.customer.id}, **vals))
        self.assertEqual(Case.sudo().search_count([]), before)
        case = Case.create({"partner_id": self.customer.id})
        other = self._credit_partner("Other Debtor")
        for vals in (
            {"promise_state": "kept"},
            {"close_reason": "paid", "date_closed": fields.Date.today()},
            {"partner_id": other.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                case.write(vals)
        self.assertEqual(case.promise_state, "none")
        self.assertEqual(case.partner_id, self.customer)
        # closing by stage is the collector's action: the system sets how and when
        case.action_close()
        self.assertEqual(case.close_reason, "manual")
        self.assertEqual(case.date_closed, fields.Date.context_today(case))

    def test_escalation_logs_cannot_be_deleted(self):
        Log = self.env["customer.credit.escalation.log"]
        self.assertFalse(Log.with_user(self.manager).has_access("unlink"))
        self.assertFalse(Log.with_user(self.manager).has_access("write"))


@tagged("post_install", "-at_install")
class TestPreparersAndOwnDocuments(CreditSaleCommon):
    """Whoever sets the terms of a decision never takes it; salespeople with "own
    documents only" see only their own credit requests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman2 = new_test_user(
            cls.env,
            login="credit_salesman_2",
            name="Sam Sales",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.company.credit_limit_director_threshold = 0

    def _limit_request(self, user, amount):
        return (
            self.env["customer.credit.limit.request"]
            .with_user(user)
            .create({"partner_id": self.customer.id, "requested_limit": amount, "reason": "Peak"})
        )

    def test_manager_who_changed_the_terms_cannot_approve(self):
        request = self._limit_request(self.salesman, 20000.0)
        request.with_user(self.manager2).write({"requested_limit": 9000000.0})
        self.assertIn(self.manager2, request.credit_editor_ids)
        request.with_user(self.salesman).action_submit()
        with self.assertRaises(UserError):
            request.with_user(self.manager2).action_approve()
        self.assertEqual(request.state, "to_approve")
        self.assertEqual(self.customer.with_company(self.company).sudo().credit_limit, 10000.0)
        request.with_user(self.manager).action_approve()
        self.assertEqual(request.state, "approved")

    def test_agreement_terms_editor_cannot_activate(self):
        agreement = (
            self.env["customer.credit.agreement"]
            .with_user(self.manager)
            .create(
                {
                    "partner_id": self.customer.id,
                    "credit_limit": 20000.0,
                    "date_end": fields.Date.today() + timedelta(days=365),
                }
            )
        )
        agreement.with_user(self.manager2).write({"credit_limit": 10000000.0})
        for user in (self.manager, self.manager2):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                agreement.with_user(user).action_activate()
        self.assertEqual(agreement.state, "draft")
        self.assertEqual(self.customer.with_company(self.company).sudo().credit_limit, 10000.0)
        with self.assertRaises(AccessError):
            agreement.with_user(self.manager).write({"credit_editor_ids": [(5, 0, 0)]})

    def test_own_documents_salesperson_sees_own_requests_only(self):
        mine = self._limit_request(self.salesman, 20000.0)
        theirs = self._limit_request(self.salesman2, 30000.0)
        Request = self.env["customer.credit.limit.request"].with_user(self.salesman)
        self.assertEqual(Request.search([("id", "in", (mine | theirs).ids)]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.salesman).write({"requested_limit": 1.0})
        self.assertEqual(theirs.requested_limit, 30000.0)
        order = self._quote(qty=12, user=self.salesman2)
        release = (
            self.env["customer.credit.release"]
            .with_user(self.salesman2)
            .create({"order_id": order.id, "request_comment": "Pays Friday"})
        )
        Release = self.env["customer.credit.release"].with_user(self.salesman)
        self.assertFalse(Release.search([("id", "=", release.id)]))
        self.assertTrue(
            self.env["customer.credit.release"]
            .with_user(self.manager)
            .search([("id", "=", release.id)])
        )


@tagged("post_install", "-at_install")
class TestLedgerSurvivesPartnerMerge(CreditSaleCommon):
    def test_merge_refused_for_a_customer_with_decisions(self):
        duplicate = self._credit_partner("Over Limit Ltd (duplicate)", limit=5000.0)
        clean = self.env["res.partner"].create({"name": "No decisions", "is_company": True})
        Wizard = self.env["base.partner.merge.automatic.wizard"]
        with self.assertRaises(UserError):
            Wizard._merge((duplicate | self.customer).ids, dst_partner=self.customer)
        self.assertTrue(duplicate.exists())
        # a customer without decisions still merges into one with decisions
        Wizard._merge((clean | self.customer).ids, dst_partner=self.customer)
        self.assertFalse(clean.exists())
        self.assertFalse(self.env["customer.credit.decision"]._verify_chain(self.company))
