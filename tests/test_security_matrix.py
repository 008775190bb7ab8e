"""Who may do what, proved over JSON-RPC: every forbidden call returns an error and leaves
the database as it was. The threat model these tests prove is docs/security.md."""

import csv
from datetime import date
from datetime import timedelta

from odoo import Command
from odoo import fields
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import file_open
from odoo.tools import mute_logger

from .common_sale_credit import CreditSaleCommon

ACCESS_ERROR = "odoo.exceptions.AccessError"
USER_ERROR = "odoo.exceptions.UserError"
VALIDATION_ERROR = "odoo.exceptions.ValidationError"
REFUSALS = (ACCESS_ERROR, USER_ERROR, VALIDATION_ERROR)

# The actors of docs/security.md (login = password).
SALESMAN = "salesman"
SALESMAN_ALL = "salesman_all"
PORTAL = "portal"
ACCOUNTANT = "accountant"
MANAGER = "manager"
MANAGER2 = "manager2"
DIRECTOR = "director"
ACTORS = (SALESMAN, SALESMAN_ALL, PORTAL, ACCOUNTANT, MANAGER, MANAGER2, DIRECTOR)
# Credit users through their sales or accounting group, not credit managers.
NON_MANAGERS = (SALESMAN, SALESMAN_ALL, PORTAL, ACCOUNTANT)
MANAGERS = (MANAGER, MANAGER2, DIRECTOR)
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}


class Ref:
    """A fixture of the test class, resolved to its id when the matrix is run."""

    def __init__(self, name):
        self.name = name


def acl(user="", manager="", director=None):
    """Expected model rights per actor ('rwcu' letters): salespeople and accountants are
    credit users, managers credit managers, the portal user has none."""
    director = manager if director is None else director
    return {
        SALESMAN: user,
        SALESMAN_ALL: user,
        ACCOUNTANT: user,
        PORTAL: "",
        MANAGER: manager,
        MANAGER2: manager,
        DIRECTOR: director,
    }


# One entry per model of security/ir.model.access.csv (plus sale.order, where the credit
# check lives). Entries without "record" are "ACL only": configuration, reports, wizards.
#   acl: rights per actor;  record: fixture the calls are made on;
#   workflow: field -> value nobody may write (write refused for every actor in write_refused);
#   create: values with a workflow field (refused for create_refused);
#   unlink_refused: actors who cannot delete ``record``;
#   actions: method -> (fixture, args, actors refused[, expected errors]);
#   state: field that must not move.
MATRIX = {
    "customer.credit.grade": {"acl": acl("r", "rwcu")},
    "customer.credit.aging.report": {"acl": acl("rwcu", "rwcu")},
    # the results of a run: written by the run itself, in SQL (and its buckets as
    # superuser), never by a user: a row added over RPC would repeat a customer's items
    "customer.credit.aging.bucket": {"acl": acl("r", "r")},
    "customer.credit.aging.line": {"acl": acl("r", "r")},
    "customer.credit.aging.item": {"acl": acl("r", "r")},
    "customer.credit.scorecard": {"acl": acl("r", "rwcu")},
    "customer.credit.scorecard.criterion": {"acl": acl("r", "rwcu")},
    "customer.credit.scorecard.threshold": {"acl": acl("r", "rwcu")},
    "customer.credit.evaluation.statement": {"acl": acl("r", "rwcu")},
    "customer.credit.evaluation.line": {"acl": acl("r", "r")},
    "customer.credit.refuse.wizard": {"acl": acl("rwc", "rwc")},
    "customer.credit.escalation.level": {"acl": acl("r", "rwcu")},
    "customer.credit.escalation.log": {"acl": acl("r", "r")},
    "customer.credit.collection.stage": {"acl": acl("r", "rwcu")},
    "customer.credit.collection.case": {"acl": acl("rwc", "rwcu")},
    "customer.credit.collection.contact": {"acl": acl("rwc", "rwcu")},
    "customer.credit.watchlist": {"acl": acl("r", "r")},
    "customer.credit.monitoring.notice": {"acl": acl("", "r")},
    "customer.credit.confirm.lock": {"acl": acl("", "r")},
    # the dashboard's month-end history: read by credit managers, written by the cron only
    "customer.credit.receivable.snapshot": {"acl": acl("", "r")},
    # Credit > Overview: the figures of the whole company are for credit managers
    "customer.credit.dashboard": {
        "record": "company",
        "actions": {"get_dashboard_data": ("company", [], NON_MANAGERS, (ACCESS_ERROR,))},
    },
    # statements are sent by accountants and credit managers, not by salespeople
    "customer.credit.statement.wizard": {"acl": {**acl("", "rwc"), ACCOUNTANT: "rwc"}},
    # the sending queue is written by the wizard and the cron only (as the system)
    "customer.credit.statement.send": {"acl": {**acl("", "r"), ACCOUNTANT: "r"}},
    # credit groups: salespeople and accountants read them (the quotation banner names the
    # group); only credit managers set the group limit, the policy or the members
    "customer.credit.group": {
        "acl": acl("r", "rwcu"),
        "record": "credit_group",
        "workflow": {"credit_limit": 1e9, "credit_control_policy": "warn"},
        "write_refused": NON_MANAGERS,
        "create": {"name": "My own group", "credit_limit": 1e9},
        "create_refused": NON_MANAGERS,
        "unlink_refused": NON_MANAGERS,
    },
    "customer.credit.group.member": {
        "acl": acl("r", "rwcu"),
        "record": "credit_group_member",
        "workflow": {"credit_limit": 1e9, "group_id": Ref("credit_group")},
        "write_refused": NON_MANAGERS,
        "create": {"group_id": Ref("credit_group"), "partner_id": Ref("customer_confirmed")},
        "create_refused": NON_MANAGERS,
        "unlink_refused": NON_MANAGERS,
    },
    "customer.credit.release.request": {"acl": acl("rwc", "rwc")},
    # the wizard asks the dispute reason / expected date; the invoice's action checks who acts
    "customer.credit.invoice.follow.up": {"acl": acl("rwc", "rwc")},
    # letters to print: made by the escalation, printed by credit managers and accountants
    "customer.credit.letter": {
        "acl": acl("r", "r"),
        "record": "letter",
        "state": "state",
        "workflow": {"state": "printed", "printed_by_id": Ref("manager")},
        "write_refused": ACTORS,
        "create": {
            "partner_id": Ref("customer"),
            "address_id": Ref("customer"),
            "level_id": Ref("escalation_level"),
            "company_id": Ref("company"),
            "date": "2025-01-01",
            "reason": "letter",
        },
        "create_refused": ACTORS,
        "unlink_refused": ACTORS,
        "actions": {
            "action_print": ("letter", [], (SALESMAN, SALESMAN_ALL, PORTAL)),
            "action_print_letters_of_the_day": ("letter", [], (SALESMAN, SALESMAN_ALL, PORTAL)),
        },
    },
    "customer.credit.release.decision": {"acl": acl("", "rwc")},
    "customer.credit.release": {
        "acl": acl("rc", "rwc"),
        "record": "release_approved",
        "state": "state",
        "workflow": {
            "state": "pending",
            "reason_codes": "hold,grade,no_limit,over_limit,overdue",
            "decided_by_id": Ref("manager2"),
            "requester_id": Ref("manager"),
            "order_id": Ref("order_blocked"),
            "move_id": Ref("invoice_blocked"),
            "request_comment": "rewritten",
            "amount_total": 1.0,
        },
        "write_refused": ACTORS,
        "create": {
            "order_id": Ref("order_blocked"),
            "request_comment": "please",
            "state": "approved",
        },
        "create_refused": ACTORS,
        "unlink_refused": ACTORS,
        "actions": {
            "action_approve": ("release_pending", ["looks fine"], NON_MANAGERS),
            "action_refuse": ("release_pending", ["no"], NON_MANAGERS),
            "action_open_decision": ("release_pending", [], NON_MANAGERS),
        },
    },
    "customer.credit.limit.request": {
        "acl": acl("rwc", "rwcu"),
        "record": "request_submitted",
        "state": "state",
        "workflow": {
            "state": "approved",
            "requested_by_id": Ref("manager2"),
            "previous_limit": 10000000.0,
            "current_limit": 1.0,
            "manager_approver_id": Ref("manager"),
            "director_approver_id": Ref("director"),
            "applied_date": "2020-01-01 00:00:00",
        },
        "write_refused": ACTORS,
        "create": {
            "partner_id": Ref("customer"),
            "requested_limit": 1.0,
            "reason": "x",
            "state": "approved",
        },
        "create_refused": ACTORS,
        "unlink_refused": ACTORS,
        "actions": {
            # the salesperson requested it: never its approver
            "action_approve": ("request_submitted", [], NON_MANAGERS),
            "action_cancel": ("request_submitted", [], (SALESMAN_ALL, PORTAL, ACCOUNTANT)),
        },
    },
    "customer.credit.evaluation": {
        "acl": acl("r", "rwcu"),
        "record": "evaluation_submitted",
        "state": "state",
        "workflow": {
            "state": "approved",
            "approved_by_id": Ref("manager2"),
            "submitted_by_id": Ref("manager2"),
            "score": 99.0,
            "recommended_limit": 1000000000.0,
            "decision_date": "2020-01-01 00:00:00",
        },
        "write_refused": ACTORS,
        "create": {"partner_id": Ref("customer"), "state": "approved"},
        "create_refused": ACTORS,
        "unlink_refused": NON_MANAGERS,
        "actions": {
            # prepared and submitted by the first manager: four eyes
            "action_approve": ("evaluation_submitted", [], NON_MANAGERS + (MANAGER,)),
            # read-only users: the actions write as the system, so they check write access
            "action_draft": ("evaluation_submitted", [], NON_MANAGERS, (ACCESS_ERROR,)),
            "action_submit": ("evaluation_draft", [], NON_MANAGERS, (ACCESS_ERROR,)),
            "action_refresh": ("evaluation_draft", [], NON_MANAGERS, (ACCESS_ERROR,)),
        },
    },
    "customer.credit.agreement": {
        "acl": acl("r", "rwcu"),
        "record": "agreement_draft",
        "state": "state",
        "workflow": {
            "state": "active",
            "previous_limit": 1.0,
            "activated_by_id": Ref("manager2"),
            "activation_date": "2020-01-01 00:00:00",
            "termination_reason": "rewritten",
        },
        "write_refused": ACTORS,
        "create": {
            "partner_id": Ref("customer"),
            "credit_limit": 1.0,
            "date_end": "2099-12-31",
            "state": "active",
        },
        "create_refused": ACTORS,
        "unlink_refused": NON_MANAGERS,
        "actions": {
            # drafted by the first manager: another one activates it
            "action_activate": ("agreement_draft", [], NON_MANAGERS + (MANAGER,)),
        },
    },
    "customer.credit.decision": {
        "acl": acl("r", "r"),
        "record": "decision",
        "workflow": {
            "kind": "limit",
            "new_value": "10000000",
            "comment": "rewritten",
            "user_id": Ref("manager2"),
            "hash": "0" * 64,
        },
        "write_refused": ACTORS,
        "create": {"company_id": Ref("company"), "kind": "limit", "new_value": "1"},
        "create_refused": ACTORS,
        "unlink_refused": ACTORS,
        "actions": {"action_verify_ledger": ("decision", [], NON_MANAGERS)},
    },
    "sale.order": {
        "record": "order_blocked",
        "state": "state",
        "workflow": {"state": "sale"},
        "write_refused": ACTORS,
        "actions": {"action_confirm": ("order_blocked", [], ACTORS)},
    },
    # a direct invoice over the limit, the company checking invoices at posting: nobody
    # posts it, by the action or by writing the state (no exemption for managers)
    "account.move": {
        "record": "invoice_blocked",
        "state": "state",
        "workflow": {
            "state": "posted",
            # dispute and expected payment: through their actions only (issue 13)
            "credit_dispute": True,
            "credit_dispute_reason": "mine",
            "credit_dispute_user_id": Ref("manager"),
            "credit_expected_payment_date": "2099-12-31",
        },
        "write_refused": ACTORS,
        "actions": {
            "action_post": ("invoice_blocked", [], ACTORS),
            # credit managers and accountants only
            "action_credit_dispute_lift": (
                "invoice_disputed",
                [],
                (SALESMAN, SALESMAN_ALL, PORTAL),
            ),
        },
    },
}


@tagged("post_install", "-at_install")
class TestSecurityMatrix(CreditSaleCommon, HttpCase):
    """Each actor tries, over JSON-RPC, what docs/security.md says they may not do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company_ids = [Command.set(cls.company.ids)]

        def user(login, groups, **values):
            values.setdefault("company_id", cls.company.id)
            values.setdefault("company_ids", company_ids)
            return new_test_user(
                cls.env, login=login, password=login, groups=groups, name=login, **values
            )

        cls.users = {
            SALESMAN: cls.salesman,
            SALESMAN_ALL: user("matrix_salesman_all", "sales_team.group_sale_salesman_all_leads"),
            ACCOUNTANT: user("matrix_accountant", "account.group_account_invoice"),
            MANAGER: cls.manager,
            MANAGER2: cls.manager2,
            DIRECTOR: user(
                "matrix_director",
                "sales_team.group_sale_salesman_all_leads,customer_credit.group_credit_director",
            ),
        }
        cls.contact = cls.env["res.partner"].create(
            {"name": "Buyer at Over Limit", "parent_id": cls.customer.id}
        )
        cls.users[PORTAL] = user("matrix_portal", "base.group_portal", partner_id=cls.contact.id)
        cls.director = cls.users[DIRECTOR]
        cls.company_b = cls.env["res.company"].create({"name": "Credit Company B"})
        cls.manager_b = user(
            "matrix_manager_b",
            "sales_team.group_sale_salesman_all_leads,customer_credit.group_credit_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.company.credit_limit_director_threshold = 0.0
        cls.company.credit_check_invoices = True
        # a direct invoice of 12,000 for a customer with a 10,000 limit: blocked
        cls.customer_invoiced = cls._credit_partner("Invoiced Ltd", limit=10000.0)
        cls.invoice_blocked = (
            cls.env["account.move"]
            .with_company(cls.company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.customer_invoiced.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Direct sale",
                                "quantity": 1,
                                "price_unit": 12000.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )

        # a letter to print, as the escalation makes them
        cls.escalation_level = (
            cls.env["customer.credit.escalation.level"].search(
                [("company_id", "=", cls.company.id)], limit=1
            )
            or cls.env["customer.credit.escalation.level"]._create_default_levels(cls.company)[:1]
        )
        cls.letter = (
            cls.env["customer.credit.letter"]
            .sudo()
            .create(
                {
                    "partner_id": cls.customer.id,
                    "address_id": cls.customer.id,
                    "level_id": cls.escalation_level.id,
                    "company_id": cls.company.id,
                    "date": fields.Date.today(),
                    "reason": "no_email",
                }
            )
        )
        # a posted invoice in dispute (opened by the first manager)
        cls.invoice_disputed = cls._posted_invoice(cls.customer_invoiced, 100.0)
        cls.invoice_disputed.with_user(cls.manager)._credit_dispute_open("Damaged goods")

        # quotations of 12,000 for a customer with a 10,000 limit: blocked
        cls.order_blocked = cls._make_quote(qty=12)
        cls.order_pending = cls._make_quote(qty=12)
        cls.order_approved = cls._make_quote(qty=13)
        Release = cls.env["customer.credit.release"].with_user(cls.salesman)
        cls.release_pending = Release.create(
            {"order_id": cls.order_pending.id, "request_comment": "Pays on Friday"}
        )
        cls.release_approved = Release.create(
            {"order_id": cls.order_approved.id, "request_comment": "Known customer"}
        )
        cls.release_approved.with_user(cls.manager).action_approve("Once")
        # a second customer with a confirmed order of 8,000 on a 10,000 limit
        cls.customer_confirmed = cls._credit_partner("Confirmed Ltd", limit=10000.0)
        cls.order_confirmed = cls._make_quote(qty=8, partner=cls.customer_confirmed)
        cls.order_confirmed.with_user(cls.salesman).action_confirm()

        cls.credit_group = (
            cls.env["customer.credit.group"]
            .with_user(cls.manager)
            .create(
                {
                    "name": "Matrix Group",
                    "company_id": cls.company.id,
                    "credit_limit": 50000.0,
                    "member_ids": [
                        Command.create({"partner_id": cls._credit_partner("Member Ltd").id})
                    ],
                }
            )
        )
        cls.credit_group_member = cls.credit_group.member_ids
        # a group agreement drafted by the first manager, a group limit asked by the
        # salesperson (docs/credit_groups.md)
        cls.agreement_group_draft = (
            cls.env["customer.credit.agreement"]
            .with_user(cls.manager)
            .create(
                {
                    "partner_id": cls.credit_group_member.partner_id.id,
                    "credit_group_id": cls.credit_group.id,
                    "credit_limit": 60000.0,
                    "date_start": fields.Date.today(),
                    "date_end": fields.Date.today() + timedelta(days=365),
                }
            )
        )
        cls.request_group_submitted = (
            cls.env["customer.credit.limit.request"]
            .with_user(cls.salesman)
            .create(
                {
                    "partner_id": cls.credit_group_member.partner_id.id,
                    "credit_group_id": cls.credit_group.id,
                    "requested_limit": 70000.0,
                    "reason": "Group tender",
                }
            )
        )
        cls.request_group_submitted.action_submit()

        Request = cls.env["customer.credit.limit.request"].with_user(cls.salesman)
        cls.request_submitted = Request.create(
            {"partner_id": cls.customer.id, "requested_limit": 20000.0, "reason": "Season"}
        )
        cls.request_submitted.action_submit()
        cls.request_temporary = Request.create(
            {
                "partner_id": cls.customer.id,
                "requested_limit": 15000.0,
                "limit_type": "temporary",
                "valid_until": fields.Date.today() + timedelta(days=10),
                "reason": "Peak",
            }
        )
        Evaluation = cls.env["customer.credit.evaluation"].with_user(cls.manager)
        cls.evaluation_submitted = Evaluation.create(cls._evaluation_inputs())
        cls.evaluation_submitted.action_submit()
        cls.evaluation_draft = Evaluation.create(cls._evaluation_inputs())
        cls.agreement_draft = (
            cls.env["customer.credit.agreement"]
            .with_user(cls.manager)
            .create(
                {
                    "partner_id": cls.customer.id,
                    "credit_limit": 30000.0,
                    "date_start": fields.Date.today(),
                    "date_end": fields.Date.today() + timedelta(days=365),
                }
            )
        )
        cls.collection_case = (
            cls.env["customer.credit.collection.case"]
            .sudo()
            .create({"partner_id": cls.customer.id, "company_id": cls.company.id})
        )
        cls.decision = (
            cls.env["customer.credit.decision"]
            .sudo()
            .search([("company_id", "=", cls.company.id)], limit=1)
        )
        assert cls.decision, "the release requests above record decisions"

    @classmethod
    def _posted_invoice(cls, partner, amount):
        move = (
            cls.env["account.move"]
            .with_company(cls.company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Service",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        move.sudo().with_context(credit_invoice_check_skip=True).action_post()
        return move

    @classmethod
    def _make_quote(cls, qty, partner=None):
        return (
            cls.env["sale.order"]
            .with_user(cls.salesman)
            .with_company(cls.company)
            .create(
                {
                    "partner_id": (partner or cls.customer).id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": cls.product.id,
                                "product_uom_qty": qty,
                                "price_unit": 1000.0,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )

    @classmethod
    def _evaluation_inputs(cls):
        return {
            "partner_id": cls.customer.id,
            "statement_ids": [
                Command.create(
                    {
                        "period": period,
                        "date_end": date(year, 12, 31),
                        "current_assets": 3_000_000,
                        "total_assets": 10_000_000,
                        "current_liabilities": 2_000_000,
                        "total_liabilities": 6_500_000,
                        "revenue": 5_000_000,
                        "net_income": 250_000,
                        "operating_cash_flow": 500_000,
                    }
                )
                for period, year in (("FY2024", 2024), ("FY2023", 2023))
            ],
            "industry_risk": "2",
            "year_founded": 2012,
            "market_position": "established",
            "business_model": "recurring",
            "external_report_received": True,
            "bureau_name": "Dun & Bradstreet",
            "bureau_score": 78,
            "default_count": 0,
            "legal_case_count": 1,
        }

    # ------------------------------------------------------------------ helpers

    def login(self, actor):
        user = self.manager_b if actor == "manager_b" else self.users.get(actor)
        login = user.login if user else actor
        self.authenticate(login, login)

    def rpc(self, model, method, *args, context=None, **kwargs):
        """``model.method(*args, **kwargs)`` over /web/dataset/call_kw as the logged user."""
        self.env.flush_all()
        try:
            return self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": model,
                    "method": method,
                    "args": list(args),
                    "kwargs": dict(kwargs, context=dict({"lang": "en_US"}, **(context or {}))),
                },
            )
        finally:
            self.env.invalidate_all()

    def assertRefused(self, model, method, *args, errors=REFUSALS, **kwargs):
        """The call returns an error of one of ``errors``; returns the error's type name."""
        # odoo.http logs refused calls as warnings: expected here.
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            self.rpc(model, method, *args, **kwargs)
        name = str(caught.exception)
        self.assertIn(name, errors, f"{model}.{method}{args!r}: unexpected {name}")
        return name

    def resolve(self, value):
        return getattr(self, value.name).id if isinstance(value, Ref) else value

    def values(self, record, names):
        """What the database holds now (cache dropped, read as the system)."""
        self.env.invalidate_all()
        return record.sudo().read(list(names))[0]

    # ------------------------------------------------------------------ the matrix

    def test_every_model_is_in_the_matrix(self):
        with file_open("customer_credit/security/ir.model.access.csv") as file:
            xmlids = {row["model_id:id"] for row in csv.DictReader(file)}
        Data = self.env["ir.model.data"]
        models = {
            self.env["ir.model"].browse(Data._xmlid_to_res_id(f"customer_credit.{xmlid}")).model
            for xmlid in xmlids
        }
        self.assertIn("customer.credit.release", models)
        self.assertEqual(sorted(models - set(MATRIX)), [], "models without a matrix entry")
        # and every access row of the module, whatever file declared it
        accesses = Data.search(
            [("module", "=", "customer_credit"), ("model", "=", "ir.model.access")]
        )
        rows = self.env["ir.model.access"].browse(accesses.mapped("res_id"))
        acl_models = set(rows.model_id.mapped("model"))
        self.assertEqual(sorted(acl_models - set(MATRIX)), [], "models without a matrix entry")

    def test_matrix_model_rights(self):
        Access = self.env["ir.model.access"]
        for model, entry in MATRIX.items():
            for actor, rights in entry.get("acl", {}).items():
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, actor=actor, operation=operation):
                        self.assertEqual(
                            Access.with_user(self.users[actor]).check(
                                model, operation, raise_exception=False
                            ),
                            letter in rights,
                        )
        # the same answer over RPC, for the portal user and a salesperson
        self.login(PORTAL)
        self.assertFalse(self.rpc("customer.credit.release", "has_access", [], "read"))
        self.login(SALESMAN)
        self.assertTrue(self.rpc("customer.credit.release", "has_access", [], "read"))
        self.assertFalse(self.rpc("customer.credit.release", "has_access", [], "write"))

    def test_matrix_forbidden_calls(self):
        """For each actor: workflow writes, creates, deletes and actions of the matrix are
        refused and change nothing."""
        for actor in ACTORS:
            self.login(actor)
            for model, entry in MATRIX.items():
                record = getattr(self, entry["record"]) if "record" in entry else None
                if record is None:
                    continue
                for name, value in entry.get("workflow", {}).items():
                    if actor not in entry["write_refused"]:
                        continue
                    with self.subTest(actor=actor, model=model, write=name):
                        before = self.values(record, [name])
                        self.assertRefused(model, "write", record.ids, {name: self.resolve(value)})
                        self.assertEqual(self.values(record, [name]), before)
                if "create" in entry and actor in entry["create_refused"]:
                    with self.subTest(actor=actor, model=model, create=True):
                        count = self.env[model].sudo().search_count([])
                        vals = {k: self.resolve(v) for k, v in entry["create"].items()}
                        self.assertRefused(model, "create", [vals])
                        self.assertEqual(self.env[model].sudo().search_count([]), count)
                if actor in entry.get("unlink_refused", ()):
                    with self.subTest(actor=actor, model=model, unlink=True):
                        self.assertRefused(model, "unlink", record.ids)
                        self.assertTrue(record.sudo().exists())
                for action, (fixture, args, refused, *errors) in entry.get("actions", {}).items():
                    if actor not in refused:
                        continue
                    target = getattr(self, fixture)
                    state = entry.get("state")
                    with self.subTest(actor=actor, model=model, action=action):
                        before = self.values(target, [state]) if state else None
                        method = getattr(type(self.env[model]), action)
                        ids = [] if getattr(method, "_api", None) == "model" else [target.ids]
                        self.assertRefused(
                            model, action, *ids, *args, errors=errors[0] if errors else REFUSALS
                        )
                        if state:
                            self.assertEqual(self.values(target, [state]), before)

    def test_matrix_allowed_decisions(self):
        """What the matrix leaves open works over RPC: the second manager decides."""
        self.login(MANAGER2)
        self.rpc("customer.credit.release", "action_approve", self.release_pending.ids, "OK")
        self.assertEqual(self.release_pending.state, "approved")
        self.assertEqual(self.release_pending.decided_by_id, self.manager2)
        self.rpc("customer.credit.evaluation", "action_approve", self.evaluation_submitted.ids)
        self.assertEqual(self.evaluation_submitted.state, "approved")
        self.rpc("customer.credit.agreement", "action_activate", self.agreement_draft.ids)
        self.assertEqual(self.agreement_draft.state, "active")
        self.rpc("customer.credit.limit.request", "action_approve", self.request_submitted.ids)
        self.assertEqual(self.request_submitted.state, "approved")
        self.assertEqual(self.customer.with_company(self.company).sudo().credit_limit, 20000.0)

    def test_matrix_allowed_salesperson_and_accountant(self):
        """What a salesperson and an accountant may do works over RPC."""
        self.login(SALESMAN)
        within = self._make_quote(qty=2, partner=self._credit_partner("Small Co", limit=5000.0))
        self.rpc("sale.order", "action_confirm", within.ids)
        self.assertEqual(within.state, "sale")
        [wizard_id] = self.rpc(
            "customer.credit.release.request",
            "create",
            [{"order_id": self.order_blocked.id, "comment": "Pays on delivery"}],
        )
        self.rpc("customer.credit.release.request", "action_request", [wizard_id])
        release = self._releases(self.order_blocked)
        self.assertEqual(release.state, "pending")
        self.assertEqual(release.requester_id, self.salesman)
        self.assertEqual(release.reason_codes, "over_limit")
        Request = "customer.credit.limit.request"
        [request_id] = self.rpc(
            Request,
            "create",
            [{"partner_id": self.customer.id, "requested_limit": 12000.0, "reason": "Growth"}],
        )
        request = self.env[Request].browse(request_id)
        self.rpc(Request, "write", [request_id], {"reason": "Growth, see the plan"})
        self.rpc(Request, "action_submit", [request_id])
        self.assertEqual(request.state, "to_approve")
        self.assertEqual(request.requested_by_id, self.salesman)
        self.rpc(Request, "action_cancel", [request_id])
        self.assertEqual(request.state, "cancelled")
        self.login(ACCOUNTANT)
        rows = self.rpc("customer.credit.decision", "search_read", [], ["kind"])
        self.assertTrue(rows)

    # ------------------------------------------------------------------ attacks

    def _releases(self, order):
        return self.env["customer.credit.release"].sudo().search([("order_id", "=", order.id)])

    def test_attack_01_create_approved_release_then_confirm(self):
        order = self.order_blocked
        self.login(SALESMAN)
        name = self.assertRefused(
            "customer.credit.release",
            "create",
            [
                {
                    "order_id": order.id,
                    "request_comment": "approved by me",
                    "state": "approved",
                    "reason_codes": "hold,grade,no_limit,over_limit,overdue",
                }
            ],
        )
        self.assertEqual(name, ACCESS_ERROR)
        self.assertFalse(self._releases(order))
        self.assertEqual(self.assertRefused("sale.order", "action_confirm", order.ids), USER_ERROR)
        self.assertEqual(self.values(order, ["state"])["state"], "draft")

    def test_attack_14_salesperson_sends_statements(self):
        """A salesperson cannot send (or queue) a statement of any customer over RPC:
        no wizard, no queue row, no message, no email."""
        customer = self.customer
        messages_before = len(customer.message_ids)
        Send = self.env["customer.credit.statement.send"]
        for actor in (SALESMAN, SALESMAN_ALL, PORTAL):
            self.login(actor)
            self.assertRefused(
                "customer.credit.statement.wizard",
                "create",
                [{"partner_ids": [Command.set(customer.ids)]}],
                errors=(ACCESS_ERROR,),
            )
            self.assertRefused(
                "customer.credit.statement.send",
                "create",
                [{"partner_id": customer.id, "date_from": "2024-01-01", "date_to": "2024-01-31"}],
                errors=(ACCESS_ERROR,),
            )
            # private methods are not callable over RPC
            for method in ("_send_statement_batch", "_cron_send_statements"):
                with mute_logger("odoo.http"), self.assertRaises(JsonRpcException):
                    self.rpc("customer.credit.statement.send", method)
        self.assertFalse(Send.sudo().search([("partner_id", "=", customer.id)]))
        self.env.invalidate_all()
        self.assertEqual(len(customer.message_ids), messages_before)
        # the accountant may
        self.login(ACCOUNTANT)
        wizard_id = self.rpc(
            "customer.credit.statement.wizard",
            "create",
            [{"partner_ids": [Command.set(customer.ids)], "date_from": "2024-01-01"}],
        )
        self.assertTrue(wizard_id)

    def test_attack_02_write_state_sale(self):
        self.login(SALESMAN)
        self.assertRefused("sale.order", "write", self.order_blocked.ids, {"state": "sale"})
        self.assertEqual(self.values(self.order_blocked, ["state"])["state"], "draft")

    def test_attack_03_approve_own_temporary_limit(self):
        request = self.request_temporary
        yesterday = fields.Date.to_string(fields.Date.today() - timedelta(days=1))
        self.login(SALESMAN)
        name = self.assertRefused(
            "customer.credit.limit.request",
            "write",
            request.ids,
            {"state": "approved", "previous_limit": 10000000, "valid_until": yesterday},
        )
        self.assertEqual(name, ACCESS_ERROR)
        values = self.values(request, ["state", "previous_limit", "valid_until"])
        self.assertEqual(values["state"], "draft")
        self.assertFalse(values["previous_limit"])
        self.assertEqual(values["valid_until"], fields.Date.today() + timedelta(days=10))
        self.env["customer.credit.limit.request"]._cron_expire_temporary_limits()
        self.env.invalidate_all()
        self.assertEqual(self.customer.with_company(self.company).sudo().credit_limit, 10000.0)
        self.assertEqual(request.sudo().state, "draft")

    def test_attack_04_manager_rewrites_requester(self):
        self.login(MANAGER)
        name = self.assertRefused(
            "customer.credit.limit.request",
            "write",
            self.request_submitted.ids,
            {"requested_by_id": self.manager2.id},
        )
        self.assertEqual(name, ACCESS_ERROR)
        self.assertEqual(self.request_submitted.sudo().requested_by_id, self.salesman)

    def test_attack_05_manager_moves_approved_release(self):
        release, other = self.release_approved, self.order_blocked
        self.login(MANAGER)
        name = self.assertRefused(
            "customer.credit.release", "write", release.ids, {"order_id": other.id}
        )
        self.assertEqual(name, ACCESS_ERROR)
        self.assertEqual(release.sudo().order_id, self.order_approved)
        self.login(SALESMAN)
        self.assertRefused("sale.order", "action_confirm", other.ids)
        self.assertEqual(self.values(other, ["state"])["state"], "draft")

    def test_attack_06_price_change_and_back_voids_release(self):
        order, release = self.order_approved, self.release_approved
        line = order.order_line
        self.login(SALESMAN)
        self.rpc("sale.order.line", "write", line.ids, {"price_unit": 900.0})
        self.rpc("sale.order.line", "write", line.ids, {"price_unit": 1000.0})
        self.assertEqual(self.values(release, ["state"])["state"], "void")
        self.assertEqual(order.amount_total, 13000.0)
        self.assertRefused("sale.order", "action_confirm", order.ids)
        self.assertEqual(self.values(order, ["state"])["state"], "draft")

    def test_attack_07_context_keys_do_not_bypass(self):
        order = self.order_blocked
        self.login(SALESMAN)
        for key, value in (
            ("credit_portal", True),
            ("credit_interactive", True),
            ("tracking_disable", True),
            ("credit_decision_source", self.release_approved.id),
            ("default_state", "approved"),
            ("bypass_risk", True),
            ("skip_credit_check", True),
        ):
            with self.subTest(key=key):
                if key == "credit_interactive":
                    # the button's flag: the blocked order opens the release request form
                    action = self.rpc(
                        "sale.order", "action_confirm", order.ids, context={key: value}
                    )
                    self.assertEqual(action["res_model"], "customer.credit.release.request")
                else:
                    self.assertRefused(
                        "sale.order",
                        "action_confirm",
                        order.ids,
                        context={key: value},
                        errors=(USER_ERROR,),
                    )
                self.assertEqual(self.values(order, ["state"])["state"], "draft")
                self.assertFalse(self._releases(order))

    def test_attack_08_salesperson_writes_credit_fields(self):
        partner = self.customer.with_company(self.company)
        fields_ = ("credit_hold_user_id", "credit_hold_date", "credit_limit", "credit_hold")
        before = self.values(partner, fields_)
        self.login(SALESMAN)
        for vals in (
            {"credit_hold_user_id": self.manager.id},
            {"credit_hold_date": "2020-01-01 00:00:00"},
            {"credit_limit": 10000000.0},
            {"credit_hold": True},
            {"credit_hold": True, "credit_hold_reason": "me"},
        ):
            with self.subTest(vals=vals):
                name = self.assertRefused("res.partner", "write", partner.ids, vals)
                self.assertEqual(name, ACCESS_ERROR)
                self.assertEqual(self.values(partner, fields_), before)
        # a credit manager sets the hold; who and when stay the system's
        self.login(MANAGER)
        self.assertRefused(
            "res.partner", "write", partner.ids, {"credit_hold_user_id": self.manager2.id}
        )
        hold = {"credit_hold": True, "credit_hold_reason": "Cheque"}
        self.rpc("res.partner", "write", partner.ids, hold)
        self.env.invalidate_all()
        self.assertEqual(partner.sudo().credit_hold_user_id, self.manager)

    def test_attack_09_four_eyes_on_evaluation(self):
        inputs = self._evaluation_inputs()
        inputs["statement_ids"] = [
            Command.create(dict(command[2], date_end=fields.Date.to_string(command[2]["date_end"])))
            for command in inputs["statement_ids"]
        ]
        self.login(MANAGER)
        [evaluation_id] = self.rpc("customer.credit.evaluation", "create", [inputs])
        evaluation = self.env["customer.credit.evaluation"].browse(evaluation_id)
        self.rpc("customer.credit.evaluation", "action_submit", evaluation.ids)
        self.assertEqual(evaluation.state, "submitted")
        name = self.assertRefused("customer.credit.evaluation", "action_approve", evaluation.ids)
        self.assertEqual(name, USER_ERROR)
        self.assertEqual(self.values(evaluation, ["state"])["state"], "submitted")
        self.login(MANAGER2)
        self.rpc("customer.credit.evaluation", "action_approve", evaluation.ids)
        self.assertEqual(evaluation.state, "approved")
        self.assertEqual(evaluation.approved_by_id, self.manager2)

    def test_attack_10_raise_confirmed_order(self):
        order = self.order_confirmed
        line = order.order_line
        self.login(SALESMAN)
        self.assertRefused("sale.order.line", "write", line.ids, {"product_uom_qty": 12})
        self.assertEqual(self.values(line, ["product_uom_qty"])["product_uom_qty"], 8.0)
        self.assertEqual(order.amount_total, 8000.0)
        self.rpc("sale.order.line", "write", line.ids, {"product_uom_qty": 4})
        self.assertEqual(self.values(line, ["product_uom_qty"])["product_uom_qty"], 4.0)
        self.assertEqual(order.amount_total, 4000.0)

    def test_attack_12_move_confirmed_order_to_held_customer(self):
        order = self.order_confirmed
        held = self._credit_partner(
            "Held Co", limit=100000.0, credit_hold=True, credit_hold_reason="Cheque bounced"
        )
        roomy = self._credit_partner("Roomy Co", limit=100000.0)
        self.login(SALESMAN)
        name = self.assertRefused("sale.order", "write", order.ids, {"partner_id": held.id})
        self.assertEqual(name, USER_ERROR)
        self.assertEqual(order.sudo().partner_id, self.customer_confirmed)
        # within the other customer's credit: allowed
        self.rpc("sale.order", "write", order.ids, {"partner_id": roomy.id})
        self.assertEqual(order.partner_id, roomy)

    def test_attack_13_group_limit_through_agreements_and_requests(self):
        """Nobody sets a credit group's limit through an agreement or a request they made,
        nor moves a document to another group once it is submitted."""
        group, agreement = self.credit_group, self.agreement_group_draft
        request = self.request_group_submitted
        Agreement, Request = "customer.credit.agreement", "customer.credit.limit.request"
        member = self.credit_group_member.partner_id
        other_group = (
            self.env["customer.credit.group"]
            .sudo()
            .create({"name": "Other Group", "company_id": self.company.id})
        )
        agreements_before = self.env[Agreement].sudo().search_count([])
        self.login(SALESMAN)
        self.assertRefused(
            Agreement,
            "create",
            [
                {
                    "partner_id": member.id,
                    "credit_group_id": group.id,
                    "credit_limit": 1e9,
                    "date_end": "2099-12-31",
                }
            ],
            errors=(ACCESS_ERROR,),
        )
        self.assertRefused(Agreement, "action_activate", agreement.ids, errors=(ACCESS_ERROR,))
        self.assertRefused(Request, "action_approve", request.ids)
        name = self.assertRefused(Request, "write", request.ids, {"credit_group_id": False})
        self.assertEqual(name, USER_ERROR)
        # a negative group limit: bad input, refused
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            self.rpc(
                Request,
                "create",
                [
                    {
                        "partner_id": member.id,
                        "credit_group_id": group.id,
                        "requested_limit": -5.0,
                        "reason": "x",
                    }
                ],
            )
        self.assertEqual(str(caught.exception), VALIDATION_ERROR)
        self.login(MANAGER)
        name = self.assertRefused(Agreement, "action_activate", agreement.ids)
        self.assertEqual(name, USER_ERROR, "four eyes: the manager drafted it")
        # another group without this member: refused
        self.assertRefused(Agreement, "write", agreement.ids, {"credit_group_id": other_group.id})
        self.env.invalidate_all()
        self.assertEqual(self.env[Agreement].sudo().search_count([]), agreements_before)
        self.assertEqual(self.values(group, ["credit_limit"])["credit_limit"], 50000.0)
        self.assertEqual(self.values(request, ["state"])["state"], "to_approve")
        self.assertEqual(self.values(agreement, ["state"])["state"], "draft")
        # the second manager decides: the group limit follows, recorded with the source
        self.login(MANAGER2)
        self.rpc(Agreement, "action_activate", agreement.ids)
        self.assertEqual(self.values(group, ["credit_limit"])["credit_limit"], 60000.0)
        self.rpc(Request, "action_approve", request.ids)
        self.assertEqual(self.values(group, ["credit_limit"])["credit_limit"], 70000.0)
        Decision = self.env["customer.credit.decision"].sudo()
        for document, limit in ((agreement, "60000.0"), (request, "70000.0")):
            decision = Decision.search(
                [
                    ("kind", "=", "limit"),
                    ("res_model", "=", document._name),
                    ("res_id", "=", document.id),
                ]
            )
            self.assertEqual(decision.new_value, limit, "the document is the source")
            self.assertEqual(decision.user_id, self.manager2)

    def test_attack_14_salesperson_takes_invoice_out_of_escalation(self):
        """Disputes and expected payment dates decide what the escalation chases: a
        salesperson cannot set them, by plain write, by the wizard or by the actions."""
        invoice = self._posted_invoice(self.customer_confirmed, 50.0)
        disputed = self.invoice_disputed
        names = [
            "credit_dispute",
            "credit_dispute_reason",
            "credit_dispute_user_id",
            "credit_expected_payment_date",
        ]
        before = self.values(invoice, names)
        before_disputed = self.values(disputed, names)
        decisions = self.env["customer.credit.decision"].sudo().search_count([])
        Wizard = "customer.credit.invoice.follow.up"
        self.login(SALESMAN)
        for vals in (
            {"credit_dispute": True, "credit_dispute_reason": "customer says so"},
            {"credit_expected_payment_date": "2099-12-31"},
        ):
            name = self.assertRefused("account.move", "write", invoice.ids, vals)
            self.assertEqual(name, ACCESS_ERROR)
        for vals in (
            {"mode": "dispute", "reason": "customer says so"},
            {"mode": "expected", "expected_payment_date": "2099-12-31"},
        ):
            [wizard_id] = self.rpc(Wizard, "create", [dict(vals, move_ids=[invoice.id])])
            name = self.assertRefused(Wizard, "action_confirm", [wizard_id])
            self.assertEqual(name, ACCESS_ERROR)
        self.assertRefused("account.move", "action_credit_dispute_lift", disputed.ids)
        self.assertEqual(self.values(invoice, names), before)
        self.assertEqual(self.values(disputed, names), before_disputed)
        self.assertTrue(before_disputed["credit_dispute"])
        self.assertEqual(self.env["customer.credit.decision"].sudo().search_count([]), decisions)
        # the accountant may, and it is recorded
        self.login(ACCOUNTANT)
        [wizard_id] = self.rpc(
            Wizard,
            "create",
            [{"mode": "dispute", "reason": "Wrong price", "move_ids": [invoice.id]}],
        )
        self.rpc(Wizard, "action_confirm", [wizard_id])
        self.assertEqual(
            self.values(invoice, ["credit_dispute", "credit_dispute_user_id"]),
            {
                "id": invoice.id,
                "credit_dispute": True,
                "credit_dispute_user_id": (
                    self.users[ACCOUNTANT].id,
                    self.users[ACCOUNTANT].display_name,
                ),
            },
        )
        self.rpc("account.move", "action_credit_dispute_lift", invoice.ids)
        self.assertFalse(self.values(invoice, ["credit_dispute"])["credit_dispute"])
        kinds = (
            self.env["customer.credit.decision"]
            .sudo()
            .search([("res_model", "=", "account.move"), ("res_id", "=", invoice.id)])
            .mapped("kind")
        )
        self.assertEqual(sorted(kinds), ["invoice_dispute_lifted", "invoice_dispute_opened"])

    def test_attack_11_decision_ledger(self):
        Decision = self.env["customer.credit.decision"].sudo()
        existing = Decision.search([])
        self.login(MANAGER)
        self.rpc("res.partner", "write", self.customer.ids, {"credit_limit": 25000.0})
        rows = Decision.search([]) - existing
        self.assertEqual(rows.kind, "limit")
        self.assertEqual(rows.partner_id, self.customer)
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows.user_id, self.manager)
        found = self.rpc(
            "customer.credit.decision", "search_read", [("id", "in", rows.ids)], ["new_value"]
        )
        self.assertEqual([float(row["new_value"]) for row in found], [25000.0])
        before = rows.read(["kind", "old_value", "new_value", "hash", "previous_hash"])
        count = Decision.search_count([])
        for actor in ACTORS + ("admin", "manager_b"):
            self.login(actor)
            with self.subTest(actor=actor):
                self.assertRefused(
                    "customer.credit.decision",
                    "create",
                    [{"company_id": self.company.id, "kind": "limit", "new_value": "1"}],
                )
                self.assertRefused(
                    "customer.credit.decision", "write", rows.ids, {"new_value": "99"}
                )
                self.assertRefused("customer.credit.decision", "unlink", rows.ids)
                self.env.invalidate_all()
                self.assertEqual(Decision.search_count([]), count)
                self.assertEqual(
                    rows.read(["kind", "old_value", "new_value", "hash", "previous_hash"]),
                    before,
                )
        # manager_b (company B only) is logged in: the row does not exist for them
        domain = [("id", "in", rows.ids)]
        self.assertEqual(self.rpc("customer.credit.decision", "search", domain), [])
        self.assertRefused(
            "customer.credit.decision", "read", rows.ids, ["new_value"], errors=(ACCESS_ERROR,)
        )
        self.assertFalse(Decision._verify_chain(self.company))

    # ------------------------------------------------------------------ multi-company

    def test_other_company_manager_reads_nothing(self):
        evaluation = self.evaluation_submitted
        records = {
            "customer.credit.release": self.release_pending | self.release_approved,
            "customer.credit.limit.request": self.request_submitted,
            "customer.credit.evaluation": evaluation,
            "customer.credit.evaluation.statement": evaluation.statement_ids,
            "customer.credit.evaluation.line": evaluation.line_ids,
            "customer.credit.agreement": self.agreement_draft | self.agreement_group_draft,
            "customer.credit.collection.case": self.collection_case,
            "customer.credit.decision": self.decision,
        }
        self.login("manager_b")
        for model, recs in records.items():
            with self.subTest(model=model):
                self.assertTrue(recs, f"fixture of {model} missing")
                self.assertEqual(self.rpc(model, "search", [("id", "in", recs.ids)]), [])
                self.assertRefused(
                    model, "read", recs.ids, ["display_name"], errors=(ACCESS_ERROR,)
                )
