from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

from ..tools.amount_words import amount_in_words

EXPIRY_ACTIVITY = "customer_credit.mail_activity_type_credit_agreement_expiry"
EXPIRY_NOTICE_DAYS = 30


class CustomerCreditAgreement(models.Model):
    _name = "customer.credit.agreement"
    _description = "Credit Agreement"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "customer.credit.approval.mixin",
        "customer.credit.group.target.mixin",
    ]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    _credit_workflow_fields = (
        "state",
        "previous_limit",
        "activation_date",
        "activated_by_id",
        "termination_date",
        "termination_reason",
        "expiry_activity_scheduled",
    )
    _credit_workflow_actions_hint = "Activate, Terminate"

    name = fields.Char("Number")
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        "Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        help="Receives the renewal activity before the agreement ends.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("expired", "Expired"),
            ("terminated", "Terminated"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    credit_limit = fields.Monetary(required=True, tracking=True)
    date_start = fields.Date(
        "Start Date", required=True, default=fields.Date.context_today, tracking=True
    )
    date_end = fields.Date("End Date", required=True, tracking=True)
    payment_term_id = fields.Many2one(
        "account.payment.term", "Payment Terms", check_company=True, tracking=True
    )
    grace_days = fields.Integer(
        "Grace Period (days)", tracking=True, help="Days after the due date before penalties."
    )
    interest_rate_annual = fields.Float("Annual Interest Rate (%)", digits=(16, 4), tracking=True)
    late_penalty_rate_daily = fields.Float(
        "Late-Payment Penalty (% per day)",
        digits=(16, 4),
        tracking=True,
        help="Charged per day on overdue amounts after the grace period, e.g. 0.05 %.",
    )
    collateral_type = fields.Selection(
        [
            ("none", "None"),
            ("guarantee", "Guarantee"),
            ("mortgage", "Mortgage"),
            ("pledge", "Pledge"),
            ("deposit", "Security deposit"),
        ],
        "Collateral / Guarantee",
        default="none",
        required=True,
    )
    guarantor_id = fields.Many2one(
        "res.partner",
    )
    collateral_value = fields.Monetary()
    collateral_description = fields.Text("Collateral Details")
    customer_signatory_name = fields.Char("Customer Signatory")
    customer_signatory_title = fields.Char()
    company_signatory_id = fields.Many2one("res.users", default=lambda self: self.env.user)
    company_signatory_title = fields.Char()
    special_terms = fields.Html()
    evaluation_id = fields.Many2one(
        "customer.credit.evaluation",
        check_company=True,
        domain="[('partner_id', '=', partner_id), ('state', '=', 'approved')]",
    )
    previous_limit = fields.Monetary(readonly=True, copy=False)
    activation_date = fields.Datetime(readonly=True, copy=False)
    activated_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    termination_date = fields.Date(readonly=True, copy=False)
    termination_reason = fields.Text(readonly=True, copy=False, tracking=True)
    expiry_activity_scheduled = fields.Boolean(readonly=True, copy=False)

    # ------------------------------------------------------------------ constraints

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for agreement in self:
            if agreement.date_end < agreement.date_start:
                raise ValidationError(
                    self.env._(
                        "Agreement %(name)s ends on %(end)s, before it starts on %(start)s: "
                        "correct the end date.",
                        name=agreement.name,
                        end=agreement.date_end,
                        start=agreement.date_start,
                    )
                )

    @api.constrains("interest_rate_annual", "late_penalty_rate_daily")
    def _check_rates(self):
        for agreement in self:
            for field_name in ("interest_rate_annual", "late_penalty_rate_daily"):
                rate = agreement[field_name]
                if rate < 0 or rate > 100:
                    raise ValidationError(
                        self.env._(
                            "%(field)s must be between 0 %% and 100 %% (%(rate)s was given).",
                            field=agreement._fields[field_name]._description_string(self.env),
                            rate=rate,
                        )
                    )

    @api.constrains("credit_limit", "grace_days", "collateral_value")
    def _check_amounts(self):
        for agreement in self:
            if agreement.credit_limit < 0 or agreement.collateral_value < 0:
                raise ValidationError(
                    self.env._("The credit limit and collateral value cannot be negative.")
                )
            if agreement.grace_days < 0:
                raise ValidationError(self.env._("The grace period cannot be negative."))

    @api.constrains("state", "partner_id", "company_id", "credit_group_id")
    def _check_one_active(self):
        for agreement in self.filtered(lambda a: a.state == "active"):
            # one running agreement per customer, and one per credit group
            if agreement.credit_group_id:
                target = [("credit_group_id", "=", agreement.credit_group_id.id)]
            else:
                target = [
                    ("partner_id", "=", agreement.partner_id.id),
                    ("credit_group_id", "=", False),
                ]
            other = self.search(
                [
                    ("id", "!=", agreement.id),
                    ("state", "=", "active"),
                    ("company_id", "=", agreement.company_id.id),
                    *target,
                ],
                limit=1,
            )
            if other and agreement.credit_group_id:
                raise ValidationError(
                    self.env._(
                        "The credit group %(group)s already has an active credit agreement "
                        "(%(other)s) in %(company)s. Terminate it before activating %(name)s.",
                        group=agreement.credit_group_id.display_name,
                        other=other.name,
                        company=agreement.company_id.name,
                        name=agreement.name,
                    )
                )
            if other:
                raise ValidationError(
                    self.env._(
                        "%(partner)s already has an active credit agreement (%(other)s) in "
                        "%(company)s. Terminate it before activating %(name)s.",
                        partner=agreement.partner_id.display_name,
                        other=other.name,
                        company=agreement.company_id.name,
                        name=agreement.name,
                    )
                )

    @api.constrains("credit_group_id", "credit_limit", "currency_id", "company_id")
    def _check_group_sub_limits(self):
        self.filtered(lambda a: a.state == "draft")._credit_check_group_sub_limits()

    @api.constrains("partner_id")
    def _check_partner_commercial(self):
        self._credit_check_commercial_partner(
            lambda company, contact: self.env._(
                "Sign the agreement with the company %(company)s rather than its "
                "contact %(contact)s.",
                company=company,
                contact=contact,
            )
        )

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        self._credit_assign_sequence(vals_list, "customer.credit.agreement")
        return super().create(vals_list)

    def write(self, vals):
        locked_fields = set(vals) - {
            "state",
            "activation_date",
            "termination_date",
            "termination_reason",
            "expiry_activity_scheduled",
            "previous_limit",
            "user_id",
            "message_main_attachment_id",
        }
        if locked_fields and any(a.state != "draft" for a in self):
            raise UserError(
                self.env._(
                    "The terms of an active, expired or terminated agreement cannot change: "
                    "make a new agreement."
                )
            )
        return super().write(vals)

    def unlink(self):
        if any(a.state != "draft" for a in self):
            raise UserError(self.env._("Only draft agreements can be deleted."))
        return super().unlink()

    # ------------------------------------------------------------------ workflow

    def _credit_granted_limit(self):
        """The agreement's limit in the company's currency, at today's rate."""
        self.ensure_one()
        return self.currency_id._convert(
            self.credit_limit,
            self.company_id.currency_id,
            self.company_id,
            fields.Date.context_today(self),
        )

    def action_activate(self):
        """Activate: the customer's credit limit (a group agreement: the credit group's
        limit) becomes the agreement's limit."""
        today = fields.Date.context_today(self)
        for agreement in self:
            if agreement.state != "draft":
                raise UserError(self.env._("Only draft agreements can be activated."))
        self._credit_check_decider(
            lambda agreement: agreement._credit_preparers(),
            self.env._("activate credit agreements"),
        )
        for agreement in self:
            if agreement.date_end < today:
                raise UserError(
                    self.env._(
                        "Agreement %(name)s ended on %(date)s: it cannot be activated.",
                        name=agreement.name,
                        date=agreement.date_end,
                    )
                )
        # a group limit below a member's sub-limit: refused before anything is written
        self._credit_check_group_sub_limits()
        for agreement in self:
            limit = agreement._credit_granted_limit()
            agreement._credit_workflow_write(
                {
                    "state": "active",
                    "previous_limit": agreement._credit_current_limit(),
                    "activation_date": fields.Datetime.now(),
                    "activated_by_id": self.env.uid,
                }
            )
            previous = agreement._credit_set_limit(limit)
            group = agreement.credit_group_id
            agreement._credit_record_decision(
                "agreement_activated",
                agreement._credit_decision_partner(),
                agreement.company_id,
                old=previous,
                new=limit,
                comment=agreement._credit_group_comment(
                    self.env._("until %(end)s", end=agreement.date_end)
                ),
                source=agreement,
            )
            currency = agreement.company_id.currency_id
            if group:
                body = self.env._(
                    "Credit agreement %(name)s activated: limit of credit group %(group)s "
                    "%(previous)s → %(limit)s until %(end)s.",
                    name=agreement.name,
                    group=group.name,
                    previous=currency.format(previous),
                    limit=currency.format(limit),
                    end=agreement.date_end,
                )
            else:
                body = self.env._(
                    "Credit agreement %(name)s activated: credit limit %(previous)s → "
                    "%(limit)s until %(end)s.",
                    name=agreement.name,
                    previous=currency.format(previous),
                    limit=currency.format(limit),
                    end=agreement.date_end,
                )
            agreement.message_post(body=body, subtype_xmlid="mail.mt_note")
            agreement._credit_post_on_target(body)
        return True

    def _action_terminate(self, reason):
        self._credit_check_group(
            "customer_credit.group_credit_manager", self.env._("terminate credit agreements")
        )
        for agreement in self:
            if agreement.state != "active":
                raise UserError(self.env._("Only active agreements can be terminated."))
            agreement._credit_workflow_write(
                {
                    "state": "terminated",
                    "termination_reason": reason,
                    "termination_date": fields.Date.context_today(self),
                }
            )
            agreement._credit_close_activities(EXPIRY_ACTIVITY, feedback=reason)
            agreement._credit_record_decision(
                "agreement_terminated",
                agreement._credit_decision_partner(),
                agreement.company_id,
                old="active",
                new="terminated",
                comment=agreement._credit_group_comment(reason),
                source=agreement,
            )
            agreement._credit_post_on_target(
                self.env._(
                    "Credit agreement %(name)s terminated: %(reason)s",
                    name=agreement.name,
                    reason=reason,
                )
            )
        return True

    def action_terminate(self):
        return self.env["customer.credit.refuse.wizard"]._open_for(
            self, title=self.env._("Terminate Agreement")
        )

    # ------------------------------------------------------------------ expiry

    @api.model
    def _cron_expire_agreements(self):
        """Expire agreements past their end; remind the responsible 30 days before."""
        today = fields.Date.context_today(self)
        monitor = self.env["customer.credit.monitor"]
        expired = monitor._run_isolated(
            self.env._("Expire credit agreements"),
            self.search([("state", "=", "active"), ("date_end", "<", today)]),
            lambda agreement: agreement._expire(),
        )
        ending = monitor._run_isolated(
            self.env._("Credit agreement renewal activities"),
            self.search(
                [
                    ("state", "=", "active"),
                    ("expiry_activity_scheduled", "=", False),
                    ("date_end", "<=", today + timedelta(days=EXPIRY_NOTICE_DAYS)),
                ]
            ),
            lambda agreement: agreement._schedule_expiry_activity(),
        )
        return len(expired), len(ending)

    def _expire(self):
        """End a running agreement whose end date is over; the credit limit is kept."""
        self.ensure_one()
        self._credit_workflow_write({"state": "expired"})
        self._credit_record_decision(
            "agreement_expired",
            self._credit_decision_partner(),
            self.company_id,
            old="active",
            new="expired",
            comment=self._credit_group_comment(),
            source=self,
        )
        self._credit_close_activities(EXPIRY_ACTIVITY)
        body = self.env._(
            "Credit agreement %(name)s expired on %(date)s. The credit limit is kept "
            "until a credit manager changes it.",
            name=self.name,
            date=self.date_end,
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        self._credit_post_on_target(body)

    def _credit_group_comment(self, comment=None):
        """The comment of a decision on the agreement, naming its credit group."""
        self.ensure_one()
        if not self.credit_group_id:
            return comment or None
        group = self.env._("Credit group %(group)s", group=self.credit_group_id.name)
        return f"{group}: {comment}" if comment else group

    def _schedule_expiry_activity(self):
        """Ask the responsible to renew the agreement before it ends."""
        self.ensure_one()
        responsible = (
            self.user_id
            or self.credit_group_id.sudo().credit_manager_id
            or self.partner_id.sudo().with_company(self.company_id).credit_manager_id
            or self._credit_pick_approver(
                "customer_credit.group_credit_manager",
                self.partner_id,
                self.company_id,
            )
        )
        self.activity_schedule(
            EXPIRY_ACTIVITY,
            date_deadline=self.date_end,
            user_id=responsible.id or self.env.uid,
            note=self.env._(
                "Credit agreement %(name)s with %(partner)s ends on %(date)s: renew it "
                "or plan the credit limit after that day.",
                name=self.name,
                partner=(self.credit_group_id or self.partner_id).display_name,
                date=self.date_end,
            ),
        )
        self._credit_workflow_write({"expiry_activity_scheduled": True})

    # ------------------------------------------------------------------ printing

    def _amount_in_words(self, amount, lang=None, currency=None):
        """``amount`` of the agreement's currency in words in ``lang`` (the customer's
        language by default): Chinese capitals naming the currency in Chinese
        (美元壹万贰仟叁佰肆拾伍元陆角柒分; CNY reads 壹万贰仟叁佰肆拾伍元陆角柒分),
        ``res.currency.amount_to_text`` in other languages. ``currency``: another one
        (the members' sub-limits of a group agreement are in the company's currency)."""
        self.ensure_one()
        lang = lang or self.partner_id.lang or self.env.lang or "en_US"
        currency = (currency or self.currency_id).with_context(lang=lang)
        return amount_in_words(
            amount,
            lang,
            currency.amount_to_text,
            currency.name,
            currency.decimal_places,
        )

    def _report_group_members(self):
        """(member, sub-limit) of a group agreement's credit group, for the PDF: the
        sub-limits are the members' own limits in the company's currency (0 = none)."""
        self.ensure_one()
        group = self.credit_group_id.sudo()
        return [
            (member.partner_id, member.partner_id.with_company(group.company_id).credit_limit)
            for member in group.member_ids
        ]

    def _report_lang(self):
        self.ensure_one()
        return self.partner_id.lang or self.env.lang

    def action_print(self):
        return self.env.ref("customer_credit.action_report_credit_agreement").report_action(self)
