import hashlib
import json
import logging
from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import BaseCase
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import SQL
from odoo.tools import mute_logger

from ..tools.decision_chain import GENESIS_HASH
from ..tools.decision_chain import canonical_payload
from ..tools.decision_chain import decision_hash
from .common import CreditCommon

AUDIT_MESSAGE = "Credit decisions are an audit record and cannot be changed or deleted."
HASHED = (
    "sequence company_id date user_id partner_id kind old_value new_value comment "
    "res_model res_id reference"
).split()


@tagged("post_install", "-at_install")
class TestDecisionChainHash(BaseCase):
    """The pure hash function of models/decision_chain.py."""

    VALUES = {
        "sequence": 3,
        "company_id": 1,
        "date": "2026-01-31 08:15:00",
        "user_id": 2,
        "partner_id": 7,
        "kind": "limit",
        "old_value": "10000.0",
        "new_value": "25000.0",
        "comment": "信用额度上调：客户付款记录良好 ✓",
        "res_model": "customer.credit.limit.request",
        "res_id": 5,
        "reference": "CLR/2026/0005",
    }

    def test_hash_is_deterministic_and_documented(self):
        previous = "ab" * 32
        digest = decision_hash(previous, self.VALUES)
        self.assertEqual(digest, decision_hash(previous, dict(reversed(self.VALUES.items()))))
        expected_text = previous + json.dumps(
            self.VALUES, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        self.assertEqual(digest, hashlib.sha256(expected_text.encode("utf-8")).hexdigest())
        self.assertEqual(len(digest), 64)

    def test_payload_is_json_dumps_for_any_text(self):
        """The field-by-field payload equals json.dumps(sort_keys, compact, no ASCII)."""
        for text in ["", 'a "quoted" \\ back', "tab\tnew\nline\x01\x1f", "授信 ✓ 😀", "\u2028"]:
            values = dict(self.VALUES, comment=text, reference=text[::-1])
            self.assertEqual(
                canonical_payload(values),
                json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
            )

    def test_unicode_comment_kept_verbatim(self):
        payload = canonical_payload(self.VALUES)
        self.assertIn("信用额度上调：客户付款记录良好 ✓", payload)
        changed = dict(self.VALUES, comment="信用额度上调：客户付款记录良好")
        self.assertNotEqual(decision_hash("", self.VALUES), decision_hash("", changed))

    def test_every_field_and_the_link_count(self):
        base = decision_hash(GENESIS_HASH, self.VALUES)
        self.assertNotEqual(base, decision_hash("0" * 64, self.VALUES))
        for name in HASHED:
            changed = dict(self.VALUES)
            if name == "date":
                changed[name] = "2026-01-31 08:15:01"
            elif isinstance(changed[name], int):
                changed[name] = 99
            else:
                changed[name] += "x"
            self.assertNotEqual(base, decision_hash(GENESIS_HASH, changed), name)

    def test_empty_values_and_dates_normalised(self):
        """NULL read back from the database hashes like the empty value written."""
        written = dict(self.VALUES, partner_id=False, comment="", res_id=0)
        read = dict(
            self.VALUES,
            partner_id=None,
            comment=None,
            res_id=None,
            date=datetime(2026, 1, 31, 8, 15, 0),
        )
        self.assertEqual(decision_hash("", written), decision_hash("", read))


@tagged("post_install", "-at_install")
class TestDecisionLedger(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Decision = cls.env["customer.credit.decision"]
        cls.company_b = cls.env["res.company"].create({"name": "Ledger Company B"})
        cls.user_b = new_test_user(
            cls.env,
            login="ledger_manager_b",
            groups="sales_team.group_sale_salesman,customer_credit.group_credit_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )

    def _append(self, count, company=None, partner=None):
        company = company or self.company
        partner = self.customer if partner is None else partner
        return self.Decision.concat(
            *(
                self.Decision._record(
                    "limit", partner, company, old=1000 * i, new=1000 * (i + 1), comment=f"#{i}"
                )
                for i in range(count)
            )
        )

    def _sql(self, query):
        self.env.flush_all()
        self.env.cr.execute(query)
        self.env.invalidate_all()

    def test_record_appends_a_valid_chain(self):
        limit_request = self.env["res.partner"].create({"name": "Source document"})
        first = self.Decision._record(
            "grade", self.contact, self.company, old=False, new="A", source=limit_request
        )
        second = self.Decision._record(
            "hold",
            self.customer,
            self.company,
            old=None,
            new=True,
            comment="逾期超过 90 天，暂停授信",
            user=self.credit_manager,
        )
        third = self.Decision._record("policy", self.env["res.partner"], self.company, new="block")
        self.assertEqual((first + second + third).mapped("sequence"), [1, 2, 3])
        # the commercial customer is stored, not the contact
        self.assertEqual(first.partner_id, self.customer)
        self.assertEqual(
            (first.old_value, first.new_value, first.res_model, first.res_id, first.reference),
            ("", "A", "res.partner", limit_request.id, "Source document"),
        )
        self.assertEqual(first.user_id, self.env.user)
        self.assertEqual(second.user_id, self.credit_manager)
        self.assertEqual(second.new_value, "True")
        self.assertFalse(third.partner_id)
        self.assertEqual(first.previous_hash, GENESIS_HASH)
        self.assertEqual(second.previous_hash, first.hash)
        self.assertEqual(third.previous_hash, second.hash)
        for decision in first + second + third:
            values = {name: decision[name] for name in HASHED}
            values.update(
                company_id=decision.company_id.id,
                user_id=decision.user_id.id,
                partner_id=decision.partner_id.id,
            )
            self.assertEqual(decision.hash, decision_hash(decision.previous_hash, values))
        self.assertEqual(first.date.microsecond, 0)
        self.assertFalse(self.Decision._verify_chain(self.company))
        check = self.Decision._check_chain(self.company)
        self.assertEqual((check.ok, check.count), (True, 3))
        self.assertEqual(
            self.Decision.search([("company_id", "=", self.company.id)], limit=1), third
        )

    def test_write_unlink_copy_refused_even_to_the_superuser(self):
        decision = self._append(1)
        hash_before = decision.hash
        sudo_decision = self.Decision.sudo().browse(decision.id)
        with self.assertRaisesText(UserError, AUDIT_MESSAGE):
            sudo_decision.write({"new_value": "999999"})
        with self.assertRaisesText(UserError, AUDIT_MESSAGE):
            sudo_decision._write({"new_value": "999999"})
        with self.assertRaisesText(UserError, AUDIT_MESSAGE):
            sudo_decision.unlink()
        with self.assertRaisesText(UserError, AUDIT_MESSAGE):
            sudo_decision.copy()
        with self.assertRaises(UserError):
            decision.with_user(self.credit_manager).write({"comment": "edited"})
        with self.assertRaises(UserError):
            decision.with_user(self.credit_manager).unlink()
        self.env.invalidate_all()
        self.assertEqual((decision.new_value, decision.hash), ("1000", hash_before))
        self.assertEqual(self.Decision.search_count([("company_id", "=", self.company.id)]), 1)
        self.assertFalse(self.Decision._verify_chain(self.company))

    def test_create_refused_outside_record(self):
        vals = {"company_id": self.company.id, "kind": "limit", "sequence": 1, "hash": "x"}
        flag = {"customer_credit_decision_recording": True}
        with self.assertRaises(UserError):
            self.Decision.with_user(self.credit_manager).create(vals)
        # the internal flag does not help a user who is not sudo (an RPC caller)
        with self.assertRaises(UserError):
            self.Decision.with_user(self.credit_manager).with_context(**flag).create(vals)
        with self.assertRaises(UserError):
            self.Decision.sudo().create(vals)
        self.assertFalse(self.Decision.search([("company_id", "=", self.company.id)]))
        # the chain's readers cannot create: no create right in the ACL either
        for user in (self.credit_manager, self.salesman, self.accountant):
            self.assertFalse(self.Decision.with_user(user).has_access("create"))
            self.assertFalse(self.Decision.with_user(user).has_access("write"))
            self.assertFalse(self.Decision.with_user(user).has_access("unlink"))

    def test_sql_update_names_the_changed_row(self):
        decisions = self._append(4)
        changed = decisions[1]
        self._sql(
            SQL("UPDATE customer_credit_decision SET new_value = 'x' WHERE id = %s", changed.id)
        )
        self.assertEqual(self.Decision._verify_chain(self.company), changed)
        self.assertEqual(self.Decision._check_chain(self.company).reason, "hash")

    def test_sql_update_of_a_hash_names_that_row(self):
        decisions = self._append(3)
        self._sql(
            SQL(
                "UPDATE customer_credit_decision SET hash = %s WHERE id = %s",
                "f" * 64,
                decisions[0].id,
            )
        )
        self.assertEqual(self.Decision._verify_chain(self.company), decisions[0])

    def test_sql_delete_names_the_next_row(self):
        decisions = self._append(4)
        self._sql(SQL("DELETE FROM customer_credit_decision WHERE id = %s", decisions[1].id))
        self.assertEqual(self.Decision._verify_chain(self.company), decisions[2])
        self.assertEqual(self.Decision._check_chain(self.company).reason, "sequence")

    def test_sql_delete_of_the_first_row(self):
        decisions = self._append(2)
        self._sql(SQL("DELETE FROM customer_credit_decision WHERE id = %s", decisions[0].id))
        self.assertEqual(self.Decision._verify_chain(self.company), decisions[1])

    def test_sql_delete_of_the_tail_names_the_last_row(self):
        decisions = self._append(4)
        self._sql(
            SQL("DELETE FROM customer_credit_decision WHERE id IN %s", tuple(decisions[2:].ids))
        )
        self.assertEqual(self.Decision._verify_chain(self.company), decisions[1])
        self.assertEqual(self.Decision._check_chain(self.company).reason, "head")
        # every row deleted: no decision to name, the company is returned
        self._sql(
            SQL("DELETE FROM customer_credit_decision WHERE id IN %s", tuple(decisions[:2].ids))
        )
        self.assertEqual(self.Decision._verify_chain(self.company), self.company)
        self.assertEqual(self.Decision._check_chain(self.company).reason, "emptied")

    def test_two_companies_have_independent_chains(self):
        a1 = self._append(1)
        b1 = self._append(1, company=self.company_b, partner=self.other_customer)
        a2 = self._append(1)
        b2 = self._append(1, company=self.company_b)
        self.assertEqual((a1 + a2).mapped("sequence"), [1, 2])
        self.assertEqual((b1 + b2).mapped("sequence"), [1, 2])
        self.assertEqual(b1.previous_hash, GENESIS_HASH)
        self.assertEqual(b2.previous_hash, b1.hash)
        self._sql(SQL("UPDATE customer_credit_decision SET comment = 'x' WHERE id = %s", a1.id))
        self.assertEqual(self.Decision._verify_chain(self.company), a1)
        self.assertFalse(self.Decision._verify_chain(self.company_b))

    def test_user_of_company_b_cannot_read_company_a(self):
        a1 = self._append(1)
        b1 = self._append(1, company=self.company_b)
        as_b = self.Decision.with_user(self.user_b)
        self.assertEqual(as_b.search([]), b1)
        with self.assertRaises(AccessError):
            as_b.browse(a1.id).read(["new_value"])
        # a multi-company user reads both, the salesperson and accountant their company's
        self.user_b.company_ids = [Command.link(self.company.id)]
        self.assertEqual(
            as_b.with_context(allowed_company_ids=[self.company_b.id, self.company.id]).search([]),
            a1 + b1,
        )
        self.assertEqual(self.Decision.with_user(self.salesman).search([]), a1)
        self.assertEqual(self.Decision.with_user(self.accountant).search([]), a1)

    def test_action_verify_ledger(self):
        decisions = self._append(3)
        action = self.Decision.with_user(self.credit_manager).action_verify_ledger()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "success")
        body = self.company.partner_id.message_ids[:1].body
        self.assertIn("3 decisions", body)
        with self.assertRaises(AccessError):
            self.Decision.with_user(self.salesman).action_verify_ledger()
        self._sql(
            SQL(
                "UPDATE customer_credit_decision SET new_value = 'x' WHERE id = %s",
                decisions[1].id,
            )
        )
        with mute_logger("odoo.addons.customer_credit.models.customer_credit_decision"):
            action = self.Decision.with_user(self.credit_manager).action_verify_ledger()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(f"#2 (id {decisions[1].id})", action["params"]["message"])
        self.assertIn("BROKEN", self.company.partner_id.message_ids[:1].body)

    def test_cron_verify_ledger(self):
        decisions = self._append(2)
        company_level = self.Decision._record("policy", False, self.company_b, new="block")
        self.Decision._cron_verify_ledger()
        self.assertFalse(self.customer.activity_ids)
        self.assertIn("intact", self.company.partner_id.message_ids[:1].body)
        # a changed decision about a customer: a to-do for the company's credit managers
        self._sql(
            SQL(
                "UPDATE customer_credit_decision SET old_value = '5' WHERE id = %s", decisions[0].id
            )
        )
        # a broken company-level chain has no customer to put the to-do on: an error
        self._sql(
            SQL("UPDATE customer_credit_decision SET kind = 'hold' WHERE id = %s", company_level.id)
        )
        logger = "odoo.addons.customer_credit.models.customer_credit_decision"
        with self.assertLogs(logger, level=logging.WARNING) as logs:
            self.Decision._cron_verify_ledger()
        self.assertEqual(
            [record.levelname for record in logs.records], ["WARNING", "WARNING", "ERROR"]
        )
        activities = self.customer.activity_ids
        self.assertTrue(activities)
        self.assertIn(self.credit_manager, activities.user_id)
        self.assertEqual(activities.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertIn("BROKEN", self.company_b.partner_id.message_ids[:1].body)

    def test_export_and_action(self):
        self._append(2)
        action = self.env.ref("customer_credit.customer_credit_decision_action")
        self.assertEqual(action.res_model, "customer.credit.decision")
        self.assertTrue(self.env.ref("customer_credit.menu_customer_credit_decision_ledger"))
        # Odoo 18 exports for the users of "Access to export feature" only
        self.accountant.groups_id = [Command.link(self.env.ref("base.group_allow_export").id)]
        decisions = self.Decision.with_user(self.accountant).search([])
        rows = decisions.export_data(["sequence", "kind", "partner_id/name", "new_value", "hash"])[
            "datas"
        ]
        self.assertEqual(
            [row[:4] for row in rows],
            [
                [2, "Credit Limit", "Credit Customer Ltd", "2000"],
                [1, "Credit Limit", "Credit Customer Ltd", "1000"],
            ],
        )
        self.assertEqual(len(rows[0][4]), 64)


@tagged("post_install", "-at_install")
class TestDecisionLedgerRpc(HttpCase):
    """What a credit manager sends over JSON-RPC cannot add, change or remove a decision."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="ledger_rpc_manager",
            password="ledger_rpc_manager",
            groups="sales_team.group_sale_salesman,customer_credit.group_credit_manager",
        )
        cls.customer = cls.env["res.partner"].create({"name": "RPC Customer", "is_company": True})
        cls.decision = cls.env["customer.credit.decision"]._record(
            "limit", cls.customer, cls.env.company, old=1000, new=2000
        )

    def _call(self, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": "customer.credit.decision",
                "method": method,
                "args": args,
                "kwargs": kwargs or {},
            },
        )

    def _state(self):
        self.env.invalidate_all()
        return self.env["customer.credit.decision"].search_read(
            [], ["sequence", "new_value", "comment", "hash"], order="id"
        )

    def test_rpc_cannot_tamper(self):
        before = self._state()
        self.authenticate("ledger_rpc_manager", "ledger_rpc_manager")
        flag = {"context": {"customer_credit_decision_recording": True}}
        vals = {"company_id": self.env.company.id, "kind": "limit", "sequence": 2, "hash": "x"}
        attempts = [
            ("create", [[vals]], flag),
            ("write", [[self.decision.id], {"new_value": "999999"}], flag),
            ("unlink", [[self.decision.id]], None),
            ("copy", [[self.decision.id]], None),
            ("_record", ["limit", False, self.env.company.id], None),
        ]
        for method, args, kwargs in attempts:
            with self.subTest(method=method), mute_logger("odoo.http"):
                with self.assertRaises(JsonRpcException):
                    self._call(method, args, kwargs)
        self.assertEqual(self._state(), before)
        # reading works, and the manager may verify the chain
        rows = self._call("search_read", [[], ["sequence", "new_value"]])
        mine = [r for r in rows if r["id"] == self.decision.id]
        self.assertEqual(
            [(r["sequence"], r["new_value"]) for r in mine], [(self.decision.sequence, "2000")]
        )
        # the other rows are the decisions taken at install (demo limits, policies)
        self.assertEqual(len(rows), self.env["customer.credit.decision"].search_count([]))
        action = self._call("action_verify_ledger", [[]])
        self.assertEqual(action["params"]["type"], "success")
