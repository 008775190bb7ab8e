"""Agreements and limit requests for a credit group (集团授信协议): they set the group's
shared limit through the same guarded path as a customer's. Figures by hand: group limit
30,000.00; members Orbit Alpha (sub-limit 10,000.00), Orbit Beta (9,000.00), Orbit Gamma
(none); company currency USD."""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import TransactionCase
from odoo.tests import tagged

from .common_credit_approval import CreditApprovalUsersMixin


@tagged("post_install", "-at_install")
class TestCreditGroupAgreement(TransactionCase, CreditApprovalUsersMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_credit_users()
        cls.company = cls.env.company
        cls.company.credit_limit_director_threshold = 100_000
        cls.currency = cls.company.currency_id
        cls.env["res.lang"]._activate_lang("zh_CN")

        def partner(name, limit, **values):
            record = cls.env["res.partner"].create(
                dict({"name": name, "is_company": True, "lang": "en_US"}, **values)
            )
            record.sudo().with_company(cls.company).credit_limit = limit
            return record

        cls.holding = partner("Orbit Holding", 0.0)
        cls.alpha = partner("Orbit Alpha", 10_000, parent_id=cls.holding.id)
        cls.beta = partner("Orbit Beta", 9_000, parent_id=cls.holding.id)
        cls.gamma = partner("Orbit Gamma", 0.0)
        cls.outsider = partner("Outsider Trading", 5_000)
        cls.group = (
            cls.env["customer.credit.group"]
            .with_user(cls.manager_1)
            .create(
                {
                    "name": "Orbit Group",
                    "company_id": cls.company.id,
                    "parent_partner_id": cls.holding.id,
                    "credit_limit": 30_000,
                    "credit_manager_id": cls.manager_2.id,
                    "member_ids": [
                        Command.create({"partner_id": p.id})
                        for p in (cls.alpha, cls.beta, cls.gamma)
                    ],
                }
            )
        )

    # ------------------------------------------------------------------ helpers

    def _agreement(self, user=None, **vals):
        return (
            self.env["customer.credit.agreement"]
            .with_user(user or self.manager_1)
            .create(
                dict(
                    {
                        "partner_id": self.holding.id,
                        "credit_group_id": self.group.id,
                        "credit_limit": 50_000,
                        "date_start": date(2025, 1, 1),
                        "date_end": date(2025, 12, 31),
                    },
                    **vals,
                )
            )
        )

    def _request(self, user, amount, **vals):
        return (
            self.env["customer.credit.limit.request"]
            .with_user(user)
            .create(
                dict(
                    {
                        "partner_id": self.alpha.id,
                        "credit_group_id": self.group.id,
                        "requested_limit": amount,
                        "reason": "Group tender won",
                    },
                    **vals,
                )
            )
        )

    def _group_limit(self):
        self.group.invalidate_recordset(["credit_limit"])
        return self.group.credit_limit

    def _limit(self, partner):
        partner.invalidate_recordset(["credit_limit"])
        return partner.with_company(self.company).credit_limit

    def _decisions(self, document):
        return (
            self.env["customer.credit.decision"]
            .sudo()
            .search(
                [("res_model", "=", document._name), ("res_id", "=", document.id)],
                order="sequence",
            )
        )

    def _other_company_group(self):
        company_b = self.env["res.company"].create({"name": "Orbit Company B"})
        return self.env["customer.credit.group"].create(
            {"name": "Orbit Group B", "company_id": company_b.id, "credit_limit": 1_000}
        )

    # ------------------------------------------------------------------ agreements

    @freeze_time("2025-02-01")
    def test_activation_sets_the_group_limit_four_eyes(self):
        agreement = self._agreement()
        with self.assertRaises(AccessError):
            agreement.with_user(self.salesman).action_activate()
        with self.assertRaisesText(UserError, "another credit manager must"):
            agreement.with_user(self.manager_1).action_activate()
        agreement.with_user(self.manager_2).action_activate()
        self.assertEqual(agreement.state, "active")
        self.assertEqual(agreement.previous_limit, 30_000)
        self.assertEqual(self._group_limit(), 50_000)
        # the members' and the signatory's own limits are not touched
        self.assertEqual(self._limit(self.alpha), 10_000)
        self.assertEqual(self._limit(self.beta), 9_000)
        self.assertEqual(self._limit(self.holding), 0)
        # the decisions: the group limit and the activation, the agreement as their source
        decisions = self._decisions(agreement)
        self.assertEqual(decisions.mapped("kind"), ["limit", "agreement_activated"])
        self.assertEqual(decisions.mapped("old_value"), ["30000.0", "30000.0"])
        self.assertEqual(decisions.mapped("new_value"), ["50000.0", "50000.0"])
        self.assertFalse(decisions.partner_id, "a group decision, not the holding's")
        self.assertEqual(decisions[0].comment, "Credit group Orbit Group")
        self.assertEqual(decisions[1].comment, "Credit group Orbit Group: until 2025-12-31")
        self.assertEqual(decisions.mapped("user_id"), self.manager_2 | self.manager_2)
        self.assertFalse(self.env["customer.credit.decision"].sudo()._verify_chain(self.company))
        self.assertIn(
            "limit of credit group Orbit Group", self.group.message_ids.filtered("body")[0].body
        )
        self.assertIn("activated", agreement.message_ids.filtered("body")[0].body)
        # the group is the agreement's: its terms and target are frozen
        with self.assertRaises(UserError):
            agreement.with_user(self.manager_1).credit_group_id = False

    @freeze_time("2025-02-01")
    def test_one_active_agreement_per_group_partner_agreements_apart(self):
        first = self._agreement()
        first.with_user(self.manager_2).action_activate()
        second = self._agreement(credit_limit=60_000)
        with self.assertRaisesText(ValidationError, "Orbit Group already has an active"):
            second.with_user(self.manager_2).action_activate()
        self.assertEqual(self._group_limit(), 50_000)
        # the holding's own agreement is another matter: it sets the holding's limit
        own = self._agreement(credit_group_id=False, credit_limit=8_000)
        own.with_user(self.manager_2).action_activate()
        self.assertEqual(self._limit(self.holding), 8_000)
        self.assertEqual(self._group_limit(), 50_000)
        self.assertEqual(
            self._decisions(own).partner_id, self.holding, "a customer decision as before"
        )
        # terminating keeps the limit, as for a customer's agreement
        first.with_user(self.manager_1)._action_terminate("Group restructured")
        self.assertEqual(first.state, "terminated")
        self.assertEqual(self._group_limit(), 50_000)
        terminated = self._decisions(first).filtered(lambda d: d.kind == "agreement_terminated")
        self.assertEqual(terminated.comment, "Credit group Orbit Group: Group restructured")
        self.assertFalse(terminated.partner_id)
        second.with_user(self.manager_2).action_activate()
        self.assertEqual(self._group_limit(), 60_000)

    def test_expiry_keeps_the_group_limit(self):
        with freeze_time("2025-02-01"):
            agreement = self._agreement()
            agreement.with_user(self.manager_2).action_activate()
        Agreement = self.env["customer.credit.agreement"]
        with freeze_time("2025-12-01"):
            Agreement._cron_expire_agreements()
            self.assertEqual(agreement.activity_ids.user_id, self.manager_1, "its responsible")
            self.assertIn("Orbit Group", agreement.activity_ids.note)
        with freeze_time("2026-01-01"):
            Agreement._cron_expire_agreements()
        self.assertEqual(agreement.state, "expired")
        self.assertEqual(self._group_limit(), 50_000)
        expired = self._decisions(agreement).filtered(lambda d: d.kind == "agreement_expired")
        self.assertEqual(expired.comment, "Credit group Orbit Group")
        self.assertIn("expired", self.group.message_ids.filtered("body")[0].body)

    def test_agreement_bad_input_refused_nothing_saved(self):
        group_b = self._other_company_group()
        with self.assertRaisesText(
            ValidationError, "Orbit Group B belongs to Orbit Company B.*choose a credit group of"
        ):
            self._agreement(credit_group_id=group_b.id)
        with self.assertRaisesText(
            ValidationError, "Outsider Trading is neither the parent company nor a member"
        ):
            self._agreement(partner_id=self.outsider.id)
        # below Alpha's sub-limit of 10,000: the message names the member and the floor
        with self.assertRaisesText(
            ValidationError,
            r"to \$\xa09,500.00, below the sub-limit of Orbit Alpha \(\$\xa010,000.00\)"
            r".*at least \$\xa010,000.00",
        ):
            self._agreement(credit_limit=9_500)
        # in the user's language
        with self.assertRaisesText(ValidationError, "低于成员 Orbit Alpha.*的子额度"):
            self.env["customer.credit.agreement"].with_user(self.manager_1).with_context(
                lang="zh_CN"
            ).create(
                {
                    "partner_id": self.holding.id,
                    "credit_group_id": self.group.id,
                    "credit_limit": 9_500,
                    "date_end": date(2099, 12, 31),
                }
            )
        self.assertFalse(
            self.env["customer.credit.agreement"].search([("credit_group_id", "!=", False)])
        )
        # a member signs too; 0 = no group limit is always possible
        self.assertEqual(self._agreement(partner_id=self.beta.id, credit_limit=0).state, "draft")

    @freeze_time("2025-02-01")
    def test_activation_refused_when_a_sub_limit_rose_since(self):
        agreement = self._agreement(credit_limit=12_000)
        self.alpha.with_user(self.manager_1).with_company(self.company).credit_limit = 12_500
        with self.assertRaisesText(ValidationError, "below the sub-limit of Orbit Alpha") as err:
            agreement.with_user(self.manager_2).action_activate()
        # refused by the agreement before anything is written, not by the group's own guard
        self.assertNotIn("is above the limit of its credit group", str(err.exception))
        self.assertEqual(agreement.state, "draft")
        self.assertEqual(self._group_limit(), 30_000)
        self.assertFalse(self._decisions(agreement))

    def test_onchange_proposes_the_parent_company(self):
        form = Form(self.env["customer.credit.agreement"].with_user(self.manager_1))
        form.partner_id = self.outsider
        form.credit_group_id = self.group
        self.assertEqual(form.partner_id, self.holding)
        form.partner_id = self.beta
        form.credit_group_id = self.group
        self.assertEqual(form.partner_id, self.beta, "a member is kept")

    # ------------------------------------------------------------------ printing

    def test_report_lists_members_sub_limits_and_group_limit(self):
        report = self.env["ir.actions.report"]
        agreement = self._agreement()
        html, _kind = report._render_qweb_html(
            "customer_credit.action_report_credit_agreement", agreement.ids
        )
        html = html.decode()
        for text in (
            "Orbit Group",
            "Orbit Alpha",
            "Orbit Beta",
            "Orbit Gamma",
            "Fifty Thousand Dollars",  # the group limit
            "Ten Thousand Dollars",  # Alpha's sub-limit
            "Nine Thousand Dollars",  # Beta's
            "No sub-limit: the group limit applies.",  # Gamma has none
        ):
            self.assertIn(text, html)
        self.assertIn("10,000.00", html)
        self.assertIn("9,000.00", html)
        self.assertIn("50,000.00", html)
        # in Chinese: the amounts in capitals, naming the currency
        self.holding.lang = "zh_CN"
        html_cn, _kind = report._render_qweb_html(
            "customer_credit.action_report_credit_agreement", agreement.ids
        )
        html_cn = html_cn.decode()
        for words in ("美元伍万元整", "美元壹万元整", "美元玖仟元整"):
            self.assertIn(words, html_cn)
        self.assertNotIn("Fifty Thousand", html_cn)
        # with the addon's Chinese terms: the whole member table in Chinese
        self.env["ir.module.module"]._load_module_terms(["customer_credit"], ["zh_CN"])
        html_cn, _kind = report._render_qweb_html(
            "customer_credit.action_report_credit_agreement", agreement.ids
        )
        html_cn = html_cn.decode()
        for text in ("授信方给予授信集团", "子额度", "大写金额", "无子额度：适用集团额度。"):
            self.assertIn(text, html_cn)
        # a customer's agreement prints no member table
        own = self._agreement(credit_group_id=False)
        html_own, _kind = report._render_qweb_html(
            "customer_credit.action_report_credit_agreement", own.ids
        )
        self.assertNotIn("o_group_members", html_own.decode())

    # ------------------------------------------------------------------ limit requests

    def test_request_for_the_group_approved_by_another_user(self):
        request = self._request(self.salesman, 60_000)
        self.assertEqual(request.current_limit, 30_000)
        self.assertEqual(request.limit_change, 30_000)
        self.assertFalse(request.director_required)
        request.with_user(self.salesman).action_submit()
        self.assertEqual(request.next_approver_id, self.manager_2, "the group's credit manager")
        self.assertEqual(request.activity_ids.user_id, self.manager_2)
        self.assertIn("Orbit Group", request.activity_ids.note)
        with self.assertRaises(AccessError):
            request.with_user(self.salesman).action_approve()
        with self.assertRaises(UserError):
            request.with_user(self.salesman).credit_group_id = False
        request.with_user(self.manager_1).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.previous_limit, 30_000)
        self.assertEqual(self._group_limit(), 60_000)
        self.assertEqual(self._limit(self.alpha), 10_000, "the member's own limit is kept")
        decisions = self._decisions(request)
        self.assertEqual(decisions.mapped("kind"), ["limit", "limit_request_approved"])
        self.assertEqual(decisions.mapped("new_value"), ["60000.0", "60000.0"])
        self.assertFalse(decisions.partner_id)
        self.assertEqual(decisions[1].comment, "Credit group Orbit Group: Group tender won")
        self.assertIn(
            "Limit of credit group Orbit Group", self.group.message_ids.filtered("body")[0].body
        )

    def test_requester_never_approves_a_group_limit(self):
        request = self._request(self.manager_2, 40_000)
        request.with_user(self.manager_2).action_submit()
        # the group's manager asked: the request goes to another credit manager
        self.assertTrue(request.next_approver_id)
        self.assertNotEqual(request.next_approver_id, self.manager_2)
        with self.assertRaisesText(UserError, "another credit manager must"):
            request.with_user(self.manager_2).action_approve()
        self.assertEqual(self._group_limit(), 30_000)
        self.assertFalse(self._decisions(request))

    def test_group_limit_above_the_director_threshold(self):
        request = self._request(self.salesman, 150_000)
        self.assertTrue(request.director_required)
        request.with_user(self.salesman).action_submit()
        request.with_user(self.manager_2).action_approve()
        self.assertEqual(request.state, "to_approve")
        self.assertEqual(self._group_limit(), 30_000)
        with self.assertRaises(UserError):
            request.with_user(self.manager_2).action_approve()
        request.with_user(self.director_1).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(self._group_limit(), 150_000)

    def test_refusal_is_recorded_for_the_group(self):
        request = self._request(self.salesman, 60_000)
        request.with_user(self.salesman).action_submit()
        request.with_user(self.manager_2)._action_refuse("Exposure too high")
        self.assertEqual(request.state, "refused")
        self.assertEqual(self._group_limit(), 30_000)
        decision = self._decisions(request)
        self.assertEqual(decision.kind, "limit_request_refused")
        self.assertEqual(decision.comment, "Credit group Orbit Group: Exposure too high")
        self.assertEqual((decision.old_value, decision.new_value), ("30000.0", "60000.0"))
        self.assertFalse(decision.partner_id)

    def test_request_bad_input_refused_nothing_saved(self):
        Request = self.env["customer.credit.limit.request"]
        with self.assertRaisesText(
            ValidationError, r"below the sub-limit of Orbit Alpha \(\$\xa010,000.00\)"
        ):
            self._request(self.salesman, 9_000)
        with self.assertRaisesText(ValidationError, "Orbit Group B belongs to Orbit Company B"):
            self._request(self.salesman, 1_000, credit_group_id=self._other_company_group().id)
        with self.assertRaisesText(ValidationError, "Outsider Trading is neither"):
            self._request(self.salesman, 40_000, partner_id=self.outsider.id)
        with self.assertRaisesText(ValidationError, "Request 0 for no group limit"):
            self._request(self.salesman, -1)
        self.assertFalse(Request.search([("credit_group_id", "!=", False)]))
        # 0 = no group limit: the members' own limits still apply
        request = self._request(self.salesman, 0)
        request.with_user(self.salesman).action_submit()
        request.with_user(self.manager_1).action_approve()
        self.assertEqual(self._group_limit(), 0)

    def test_approval_refused_when_a_sub_limit_rose_since(self):
        request = self._request(self.salesman, 12_000)
        request.with_user(self.salesman).action_submit()
        self.alpha.with_user(self.manager_1).with_company(self.company).credit_limit = 15_000
        with self.assertRaisesText(
            ValidationError,
            r"to \$\xa012,000.00, below the sub-limit of Orbit Alpha \(\$\xa015,000.00\)",
        ) as err:
            request.with_user(self.manager_2).action_approve()
        self.assertNotIn("is above the limit of its credit group", str(err.exception))
        self.assertEqual(request.state, "to_approve")
        self.assertFalse(request.manager_approver_id)
        self.assertEqual(self._group_limit(), 30_000)

    def test_temporary_group_limit_reverts(self):
        with freeze_time("2025-03-01"):
            request = self._request(
                self.salesman, 45_000, limit_type="temporary", valid_until=date(2025, 3, 31)
            )
            request.with_user(self.salesman).action_submit()
            request.with_user(self.manager_1).action_approve()
        self.assertEqual(self._group_limit(), 45_000)
        Request = self.env["customer.credit.limit.request"]
        with freeze_time("2025-03-31"):
            Request._cron_expire_temporary_limits()
        self.assertEqual(self._group_limit(), 45_000, "valid on its last day")
        with freeze_time("2025-04-01"):
            Request._cron_expire_temporary_limits()
        self.assertEqual(request.state, "expired")
        self.assertEqual(self._group_limit(), 30_000)
        reverted = self._decisions(request).filtered(lambda d: d.kind == "limit")[-1]
        self.assertEqual((reverted.old_value, reverted.new_value), ("45000.0", "30000.0"))
        self.assertIn("back to $", self.group.message_ids.filtered("body")[0].body)

    def test_temporary_group_limit_kept_when_a_sub_limit_rose(self):
        with freeze_time("2025-03-01"):
            request = self._request(
                self.salesman, 45_000, limit_type="temporary", valid_until=date(2025, 3, 31)
            )
            request.with_user(self.salesman).action_submit()
            request.with_user(self.manager_1).action_approve()
            self.alpha.with_user(self.manager_1).with_company(self.company).credit_limit = 40_000
        with freeze_time("2025-04-01"):
            self.env["customer.credit.limit.request"]._cron_expire_temporary_limits()
        self.assertEqual(request.state, "expired")
        self.assertEqual(self._group_limit(), 45_000)
        body = self.group.message_ids.filtered("body")[0].body
        self.assertIn("is kept: the sub-limit of Orbit Alpha is above", body)

    def test_customer_requests_unchanged(self):
        request = self._request(self.salesman, 12_000, credit_group_id=False)
        self.assertEqual(request.current_limit, 10_000)
        request.with_user(self.salesman).action_submit()
        request.with_user(self.manager_1).action_approve()
        self.assertEqual(self._limit(self.alpha), 12_000)
        self.assertEqual(self._group_limit(), 30_000)
        self.assertEqual(self._decisions(request).partner_id, self.alpha)

    def test_context_source_needs_the_system(self):
        """A credit manager who names a document as the source of a group limit change
        does not make it one: only the approval flows, as the system, do."""
        agreement = self._agreement()
        self.group.with_user(self.manager_1).with_context(
            credit_decision_source=f"{agreement._name},{agreement.id}"
        ).credit_limit = 35_000
        self.assertFalse(self._decisions(agreement))
        decision = self._decisions(self.group)[-1]
        self.assertEqual((decision.kind, decision.new_value), ("limit", "35000.0"))
