from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools import float_compare
from odoo.tools import float_is_zero
from odoo.tools.misc import formatLang

CASE_SEQUENCE_CODE = "customer.credit.collection.case"

PROMISE_STATES = [
    ("none", "No Promise"),
    ("pending", "Promised"),
    ("kept", "Kept"),
    ("broken", "Broken"),
]


class CustomerCreditCollectionCase(models.Model):
    _name = "customer.credit.collection.case"
    _description = "Collection Case"
    _inherit = ["mail.thread", "mail.activity.mixin", "customer.credit.workflow.mixin"]
    _order = "priority desc, date_open desc, id desc"
    _check_company_auto = True

    # Set by the escalation, the promise follow-up and the closing: never by hand.
    _credit_workflow_fields = (
        "amount_opening",
        "date_open",
        "date_closed",
        "close_reason",
        "escalation_level_id",
        "promise_state",
        "promise_residual_start",
    )
    _credit_fixed_fields = ("partner_id", "company_id")
    _credit_workflow_actions_hint = "Close, Reopen, the stage, a promise to pay"

    name = fields.Char(
        "Reference", required=True, copy=False, readonly=True, default="/", index="trigram"
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        "Responsible",
        tracking=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    stage_id = fields.Many2one(
        "customer.credit.collection.stage",
        required=True,
        tracking=True,
        index=True,
        copy=False,
        group_expand="_read_group_stage_ids",
        default=lambda self: self._default_stage(),
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True, index=True)
    priority = fields.Selection([("0", "Normal"), ("1", "Urgent")], default="0", tracking=True)
    color = fields.Integer()
    invoice_ids = fields.Many2many(
        "account.move",
        "customer_credit_collection_case_move_rel",
        "case_id",
        "move_id",
        "Invoices",
        check_company=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_receipt')), ('state', '=', 'posted'),"
        " ('commercial_partner_id', '=', partner_id)]",
    )
    invoice_count = fields.Integer(compute="_compute_amounts", store=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_residual = fields.Monetary(
        "Amount Due", compute="_compute_amounts", store=True, currency_field="currency_id"
    )
    amount_opening = fields.Monetary(
        "Amount Due at Opening", readonly=True, currency_field="currency_id"
    )
    date_open = fields.Date("Opened On", default=fields.Date.context_today, readonly=True)
    date_closed = fields.Date("Closed On", readonly=True, copy=False)
    close_reason = fields.Selection(
        [("paid", "Paid"), ("manual", "Closed by Hand")], readonly=True, copy=False
    )
    escalation_level_id = fields.Many2one(
        "customer.credit.escalation.level", "Opened at Level", readonly=True, check_company=True
    )
    promise_date = fields.Date("Promised Payment Date", tracking=True, copy=False)
    promise_amount = fields.Monetary(
        "Promised Amount", tracking=True, copy=False, currency_field="currency_id"
    )
    promise_residual_start = fields.Monetary(
        "Amount Due When Promised", readonly=True, copy=False, currency_field="currency_id"
    )
    promise_paid = fields.Monetary(
        "Paid Since Promise", compute="_compute_promise_paid", currency_field="currency_id"
    )
    promise_state = fields.Selection(
        PROMISE_STATES, default="none", required=True, readonly=True, tracking=True, copy=False
    )
    contact_ids = fields.One2many("customer.credit.collection.contact", "case_id", "Contacts")
    contact_count = fields.Integer(compute="_compute_contact_count")
    description = fields.Html()

    @api.model
    def _default_stage(self):
        return self.env["customer.credit.collection.stage"].search(
            [("is_closed", "=", False)], limit=1
        )

    @api.model
    def _case_sequence(self, company):
        """The sequence of the case references of ``company`` (its own, else the shared
        one), as ``next_by_code`` finds it; looked up once per batch, where Odoo's
        ``next_by_code`` looks it up again for every number. Empty if deleted."""
        sequences = self.env["ir.sequence"].with_company(company)
        sequences.browse().check_access("read")
        return sequences.search(
            [("code", "=", CASE_SEQUENCE_CODE), ("company_id", "in", [company.id, False])],
            order="company_id",
            limit=1,
        )

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([])

    @api.depends("invoice_ids.amount_residual_signed")
    def _compute_amounts(self):
        for case in self:
            case.invoice_count = len(case.invoice_ids)
            case.amount_residual = sum(case.invoice_ids.mapped("amount_residual_signed"))

    @api.depends("promise_residual_start", "amount_residual", "promise_state")
    def _compute_promise_paid(self):
        for case in self:
            if case.promise_state == "none":
                case.promise_paid = 0.0
            else:
                case.promise_paid = max(case.promise_residual_start - case.amount_residual, 0.0)

    def _compute_contact_count(self):
        counts = dict(
            self.env["customer.credit.collection.contact"]._read_group(
                [("case_id", "in", self.ids)], ["case_id"], ["__count"]
            )
        )
        for case in self:
            case.contact_count = counts.get(case, 0)

    @api.constrains("promise_amount", "promise_date")
    def _check_promise(self):
        for case in self:
            if case.promise_amount < 0:
                raise ValidationError(
                    self.env._(
                        "The promised amount of %(case)s cannot be negative.", case=case.name
                    )
                )
            if case.promise_date and not case.promise_amount:
                raise ValidationError(
                    self.env._(
                        "Enter the amount the customer promised to pay by %(date)s on %(case)s.",
                        date=case.promise_date,
                        case=case.name,
                    )
                )

    @api.constrains("partner_id", "invoice_ids")
    def _check_invoices_partner(self):
        for case in self:
            others = case.invoice_ids.filtered(
                lambda move, case=case: move.commercial_partner_id != case.partner_id
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "Invoices %(invoices)s are not invoices of %(partner)s. "
                        "A collection case groups invoices of one customer.",
                        invoices=", ".join(others.mapped("name")),
                        partner=case.partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        # one sequence lookup per company and one default stage for the whole batch
        # (the escalation opens hundreds of cases at once)
        sequences = {}  # company id -> its sequence of case references
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company_id = vals.get("company_id") or self.env.company.id
                if company_id not in sequences:
                    sequences[company_id] = self._case_sequence(
                        self.env["res.company"].browse(company_id)
                    )
                sequence = sequences[company_id]
                vals["name"] = (sequence and sequence._next()) or "/"
        if any("stage_id" not in vals for vals in vals_list):
            # the context's default, a user default, else the first open stage
            stage_id = self.default_get(["stage_id"]).get("stage_id")
            for vals in vals_list:
                vals.setdefault("stage_id", stage_id)
        for vals in vals_list:
            if vals.get("partner_id"):
                vals["partner_id"] = (
                    self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id
                )
        cases = super().create(vals_list)
        for case in cases:
            case._credit_workflow_write({"amount_opening": case.amount_residual})
        cases.filtered(lambda case: case.promise_date)._record_promise()
        return cases

    def write(self, vals):
        derived = {}
        if "stage_id" in vals:
            stage = self.env["customer.credit.collection.stage"].browse(vals["stage_id"])
            if stage.is_closed:
                derived["date_closed"] = vals.get("date_closed") or fields.Date.context_today(self)
                derived["close_reason"] = vals.get("close_reason") or "manual"
            else:
                derived.update(date_closed=False, close_reason=False)
        res = super().write(vals)
        if derived and not (self.env.su and set(derived) <= set(vals)):
            self._credit_workflow_write(derived)
        if {"promise_date", "promise_amount"} & set(vals) and not self.env.context.get(
            "credit_promise_update"
        ):
            self.filtered(lambda case: case.promise_date)._record_promise()
        return res

    # ------------------------------------------------------------------ promise to pay

    def _record_promise(self):
        """A promise to pay was entered: remember what was due, move to the promise stage,
        schedule an activity on the promised date, and make the promised date the
        expected payment date of the case's unpaid invoices (the escalation waits)."""
        promise_stage = self.env["customer.credit.collection.stage"].search(
            [("is_promise", "=", True)], limit=1
        )
        for case in self:
            values = {
                "promise_state": "pending",
                "promise_residual_start": case.amount_residual,
            }
            if promise_stage and not case.is_closed:
                values["stage_id"] = promise_stage.id
            case.with_context(credit_promise_update=True)._credit_workflow_write(values)
            unpaid = case.invoice_ids.filtered(
                lambda move: move.state == "posted" and move.amount_residual > 0
            )
            # The expected date holds the escalation back: set from a promise entered by
            # whoever may set it by hand (credit managers, accountants), else left for them.
            if self.env.su or unpaid._credit_may_follow_up():
                unpaid._credit_set_expected_payment(
                    case.promise_date,
                    note=self.env._("Promise to pay on %(case)s", case=case.name),
                    source=case,
                )
            elif unpaid:
                case.message_post(
                    body=self.env._(
                        "The escalation keeps chasing these invoices: a credit manager or an "
                        "accountant sets their expected payment date from this promise "
                        "(Set Expected Payment Date on the invoices)."
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            case.activity_unlink(["customer_credit.mail_activity_type_credit_promise"])
            case.activity_schedule(
                "customer_credit.mail_activity_type_credit_promise",
                date_deadline=case.promise_date,
                user_id=(case.user_id or self.env.user).id,
                summary=self.env._(
                    "Check payment of %(amount)s promised by %(partner)s",
                    amount=case._format_amount(case.promise_amount),
                    partner=case.partner_id.display_name,
                ),
            )

    def _format_amount(self, amount):
        return formatLang(self.env, amount, currency_obj=self.currency_id)

    def _check_promises(self, today):
        """Mark kept promises; flag broken ones (date passed, not paid as promised)."""
        for case in self.filtered(lambda case: case.promise_state == "pending"):
            rounding = case.currency_id.rounding
            paid_enough = float_compare(
                case.promise_paid, case.promise_amount, precision_rounding=rounding
            ) >= 0 or float_is_zero(case.amount_residual, precision_rounding=rounding)
            if paid_enough:
                case._credit_workflow_write({"promise_state": "kept"})
                case.activity_feedback(
                    ["customer_credit.mail_activity_type_credit_promise"],
                    feedback=self.env._("Payment received as promised."),
                )
                case.message_post(
                    body=self.env._(
                        "Promise kept: %(paid)s paid of %(promised)s promised.",
                        paid=case._format_amount(case.promise_paid),
                        promised=case._format_amount(case.promise_amount),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            elif case.promise_date < today:
                case._break_promise()

    def _break_promise(self):
        self.ensure_one()
        self._credit_workflow_write({"promise_state": "broken", "priority": "1"})
        body = self.env._(
            "Broken promise: %(partner)s promised %(promised)s by %(date)s and paid %(paid)s.",
            partner=self.partner_id.display_name,
            promised=self._format_amount(self.promise_amount),
            date=self.promise_date,
            paid=self._format_amount(self.promise_paid),
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        self.partner_id._message_log(body=body)
        managers = self.env["customer.credit.monitor"]._credit_managers_for(self.partner_id)
        for user in managers or self.user_id:
            self.activity_schedule(
                "customer_credit.mail_activity_type_credit_escalation",
                user_id=user.id,
                summary=self.env._("Broken promise to pay: decide the next step"),
                note=body,
            )

    # ------------------------------------------------------------------ closing

    def _close_if_paid(self):
        """Close the open cases whose invoices are all paid."""
        closed_stage = self.env["customer.credit.collection.stage"].search(
            [("is_closed", "=", True)], limit=1
        )
        if not closed_stage:
            return self.browse()
        to_close = self.filtered(
            lambda case: (
                not case.is_closed
                and case.invoice_ids
                and all(
                    float_is_zero(
                        move.amount_residual, precision_rounding=move.currency_id.rounding
                    )
                    for move in case.invoice_ids
                )
            )
        )
        for case in to_close:
            case._check_promises(fields.Date.context_today(self))
            case._credit_workflow_write(
                {
                    "stage_id": closed_stage.id,
                    "close_reason": "paid",
                    "date_closed": fields.Date.context_today(self),
                }
            )
            case.activity_unlink(
                [
                    "customer_credit.mail_activity_type_credit_promise",
                    "customer_credit.mail_activity_type_credit_escalation",
                ]
            )
            case.message_post(
                body=self.env._("All invoices of this case are paid: the case is closed."),
                subtype_xmlid="mail.mt_note",
            )
        return to_close

    @api.model
    def _open_case_ids_for_moves(self, move_ids):
        if not move_ids:
            return []
        self.flush_model(["invoice_ids", "stage_id", "is_closed"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT DISTINCT rel.case_id
                  FROM customer_credit_collection_case_move_rel rel
                  JOIN customer_credit_collection_case c ON c.id = rel.case_id
                 WHERE rel.move_id = ANY(%s) AND c.is_closed IS NOT TRUE
                """,
                list(move_ids),
            )
        )
        return [row[0] for row in rows]

    # ------------------------------------------------------------------ actions

    def action_close(self):
        closed_stage = self.env["customer.credit.collection.stage"].search(
            [("is_closed", "=", True)], limit=1
        )
        if not closed_stage:
            raise UserError(
                self.env._("No closing stage is configured. Mark a collection stage as closing.")
            )
        self.write({"stage_id": closed_stage.id})

    def action_reopen(self):
        self.write({"stage_id": self._default_stage().id})

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"create": False}
        return action
