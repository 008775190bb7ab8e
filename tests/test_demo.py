import io
import unicodedata
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import TransactionCase
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval


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
            "demo_customer_riverside": "overdue",
            # the escalation put it on hold: 45 days overdue
            "demo_customer_silkroad": "hold",
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


class DemoCommon:
    def _demo(self, xmlid):
        record = self.env.ref(f"customer_credit.{xmlid}", raise_if_not_found=False)
        if not record:
            self.skipTest("demo data not loaded")  # counted as a failure by make test
        return record


@tagged("post_install", "-at_install")
class TestDemoFlows(DemoCommon, TransactionCase):
    """The demo shows every flow, made by the module's own actions (issue 14)."""

    def setUp(self):
        super().setUp()
        self.manager = self._demo("demo_user_credit_manager")
        self.director = self._demo("demo_user_credit_director")
        self.salesman = self._demo("demo_user_salesman")
        self.today = fields.Date.context_today(self.env["res.partner"])

    def test_every_credit_menu_lists_something(self):
        """Each Credit menu opening a list shows at least one record to the credit manager
        (the action's domain applies; its default filters do not)."""
        root = self.env.ref("customer_credit.menu_customer_credit_root")
        menus = self.env["ir.ui.menu"].search([("id", "child_of", root.id)])
        checked = []
        for menu in menus:
            action = menu.action
            if not action or action._name != "ir.actions.act_window":
                continue
            Model = self.env[action.res_model].with_user(self.manager)
            if Model._transient:
                continue  # a wizard (settings, aging report options): nothing to list
            domain = safe_eval(
                action.domain or "[]", {"uid": self.manager.id, "context_today": lambda: self.today}
            )
            with self.subTest(menu=menu.complete_name):
                self.assertGreaterEqual(Model.search_count(domain), 1, menu.complete_name)
            checked.append(menu)
        self.assertGreaterEqual(len(checked), 12)

    def test_evaluations(self):
        evaluations = self.env["customer.credit.evaluation"].search(
            [
                (
                    "partner_id.name",
                    "in",
                    [
                        self._demo("demo_customer_lumen").name,
                        self._demo("demo_customer_orbit").name,
                        self._demo("demo_customer_coastal").name,
                    ],
                )
            ]
        )
        approved = evaluations.filtered(lambda e: e.state == "approved")
        self.assertEqual(len(approved), 2)
        for evaluation in approved:
            self.assertTrue(evaluation.line_ids, "scorecard lines")
            self.assertEqual(evaluation.approved_by_id, self.director)
            self.assertEqual(evaluation.create_uid, self.manager)
            self.assertEqual(evaluation.partner_id.credit_grade_id, evaluation.grade_id)
        draft = evaluations - approved
        self.assertEqual(draft.mapped("state"), ["draft"])
        self.assertTrue(draft.missing_mandatory_inputs)

    def test_limit_requests(self):
        Request = self.env["customer.credit.limit.request"]
        activity = self.env.ref("customer_credit.mail_activity_type_credit_limit_approval")
        for_manager = Request.search([("partner_id", "=", self._demo("demo_customer_harbor").id)])
        for_director = Request.search(
            [("partner_id", "=", self._demo("demo_customer_riverside").id)]
        )
        temporary = Request.search([("partner_id", "=", self._demo("demo_customer_garden").id)])
        self.assertRecordValues(
            for_manager | for_director | temporary,
            [
                {
                    "state": "to_approve",
                    "manager_approver_id": False,
                    "next_approver_id": self.manager.id,
                },
                {
                    "state": "to_approve",
                    "manager_approver_id": self.manager.id,
                    "next_approver_id": self.director.id,
                },
                {
                    "state": "approved",
                    "manager_approver_id": self.manager.id,
                    "next_approver_id": False,
                },
            ],
        )
        self.assertEqual((for_manager | for_director | temporary).requested_by_id, self.salesman)
        self.assertEqual(
            for_manager.activity_ids.filtered(lambda a: a.activity_type_id == activity).user_id,
            self.manager,
        )
        self.assertEqual(
            for_director.activity_ids.filtered(lambda a: a.activity_type_id == activity).user_id,
            self.director,
        )
        self.assertEqual(temporary.limit_type, "temporary")
        self.assertEqual(temporary.valid_until, self.today + timedelta(days=7))
        self.assertEqual(temporary.partner_id.credit_limit, 25000.0)
        self.assertEqual(temporary.previous_limit, 10000.0)

    def test_agreements(self):
        Agreement = self.env["customer.credit.agreement"]
        lumen = self._demo("demo_customer_lumen")
        chinese = Agreement.search([("partner_id", "=", lumen.id)])
        english = Agreement.search([("partner_id", "=", self._demo("demo_customer_nordic").id)])
        expired = Agreement.search([("partner_id", "=", self._demo("demo_customer_delta").id)])
        self.assertRecordValues(
            chinese | english | expired,
            [
                {"state": "active", "activated_by_id": self.director.id},
                {"state": "active", "activated_by_id": self.director.id},
                {"state": "expired", "activated_by_id": self.director.id},
            ],
        )
        self.assertEqual(chinese.currency_id, self.env.ref("base.CNY"))
        self.assertTrue(chinese.currency_id.active)
        self.assertEqual(lumen.lang, "zh_CN")
        self.assertEqual(english.currency_id, self.env.ref("base.USD"))
        self.assertEqual(english.partner_id.lang, "en_US")
        self.assertLess(expired.date_end, self.today)
        self.assertEqual(chinese.credit_limit, 3_600_000.0)
        self.assertAlmostEqual(
            lumen.credit_limit, chinese._credit_granted_limit(), 2, "the CNY limit, converted"
        )

    def test_releases(self):
        delta = self._demo("demo_customer_delta")
        releases = self.env["customer.credit.release"].search([("partner_id", "=", delta.id)])
        self.assertEqual(sorted(releases.mapped("state")), ["approved", "pending"])
        self.assertEqual(releases.requester_id, self.salesman)
        pending = releases.filtered(lambda r: r.state == "pending")
        self.assertTrue(pending.activity_ids)
        self.assertIn(pending.order_id.state, ("draft", "sent"))
        self.assertTrue(pending.order_id.credit_banner)
        approved = releases - pending
        self.assertEqual(approved.decided_by_id, self.manager)

    def test_escalation_and_collection(self):
        Log = self.env["customer.credit.escalation.log"]
        self.assertTrue(Log.search_count([("email_sent", "=", True)]), "reminders emailed")
        garden = self._demo("demo_customer_garden")
        self.assertTrue(garden.credit_warning)
        self.assertFalse(garden.credit_hold)
        silkroad = self._demo("demo_customer_silkroad")
        self.assertTrue(silkroad.credit_hold and silkroad.credit_hold_auto, "automatic hold")
        expected = {
            "demo_customer_panda": ("collection_stage_reminder", "none"),
            "demo_customer_jade": ("collection_stage_negotiation", "none"),
            "demo_customer_lotus": ("collection_stage_promise", "kept"),
            "demo_customer_summit": ("collection_stage_legal", "broken"),
            "demo_customer_phoenix": ("collection_stage_writeoff", "none"),
            "demo_customer_pearl": ("collection_stage_closed", "none"),
        }
        Case = self.env["customer.credit.collection.case"]
        for xmlid, (stage, promise) in expected.items():
            case = Case.search([("partner_id", "=", self._demo(xmlid).id)])
            with self.subTest(customer=xmlid):
                self.assertEqual(len(case), 1)
                self.assertEqual(case.stage_id, self._demo(stage))
                self.assertEqual(case.promise_state, promise)
        stages = self.env["customer.credit.collection.stage"].search([])
        self.assertEqual(set(Case.search([]).stage_id), set(stages), "a case in each stage")
        pearl = self._demo("demo_customer_pearl")
        self.assertFalse(pearl.credit_hold, "paid: the automatic hold is released")

    def test_watchlist(self):
        """The watchlist was refreshed: a handful of demo customers, each with reasons."""
        demo = self._demo("demo_customer_delta") | self._demo("demo_customer_silkroad")
        demo |= self._demo("demo_customer_summit") | self._demo("demo_customer_jade")
        rows = self.env["customer.credit.watchlist"].search(
            [("on_watchlist", "=", True), ("partner_id", "in", demo.ids)]
        )
        self.assertEqual(rows.partner_id, demo)
        for row in rows:
            self.assertTrue(row.reasons, row.partner_id.name)
            self.assertEqual(row.refreshed_on, self.today)


@tagged("post_install", "-at_install")
class TestDemoAgreementPdf(DemoCommon, HttpCase):
    def test_chinese_agreement_pdf(self):
        """The CNY agreement of the Chinese-speaking customer prints in Chinese."""
        lumen = self._demo("demo_customer_lumen")
        agreement = self.env["customer.credit.agreement"].search(
            [("partner_id", "=", lumen.id), ("state", "=", "active")]
        )
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("customer_credit.action_report_credit_agreement", agreement.ids)
        )
        self.assertEqual(kind, "pdf")
        from PyPDF2 import PdfReader

        reader = PdfReader(io.BytesIO(pdf))
        text = "".join("".join(page.extract_text() for page in reader.pages).split())
        text = unicodedata.normalize("NFKC", text.replace("\u2ec6", "角"))
        self.assertIn("授信协议", text)
        self.assertIn("叁佰陆拾万元整", text, "the limit in Chinese capitals")
