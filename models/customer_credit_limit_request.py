from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError

# Fields frozen once the request leaves draft: approvers decide on what they saw.
FROZEN_FIELDS = {
    "partner_id",
    "credit_group_id",
    "company_id",
    "requested_limit",
    "limit_type",
    "valid_until",
    "reason",
    "evaluation_id",
}
APPROVAL_ACTIVITY = "customer_credit.mail_activity_type_credit_limit_approval"


class CustomerCreditLimitRequest(models.Model):
    _name = "customer.credit.limit.request"
    _description = "Credit Limit Request"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "customer.credit.approval.mixin",
        "customer.credit.group.target.mixin",
    ]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    _credit_workflow_fields = (
        "state",
        "requested_by_id",
        "current_limit",
        "director_required",
        "manager_approver_id",
        "manager_approval_date",
        "director_approver_id",
        "director_approval_date",
        "next_approver_id",
        "refused_by_id",
        "refusal_reason",
        "previous_limit",
        "applied_date",
        "reverted_date",
    )
    _credit_workflow_actions_hint = "Submit, Approve, Refuse, Cancel, Reset to Draft"

    currency_id = fields.Many2one(related="company_id.currency_id")
    requested_by_id = fields.Many2one(
        "res.users",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
        copy=False,
    )
    current_limit = fields.Monetary(
        readonly=True,
        copy=False,
        help="The customer's (or the credit group's) limit when the request was made "
        "(updated on submission).",
    )
    requested_limit = fields.Monetary(required=True, tracking=True)
    limit_change = fields.Monetary("Change", compute="_compute_limit_change")
    limit_type = fields.Selection(
        [("permanent", "Permanent"), ("temporary", "Temporary")],
        "Type",
        required=True,
        default="permanent",
        tracking=True,
    )
    valid_until = fields.Date(
        tracking=True, help="A temporary limit reverts to the previous limit after this day."
    )
    reason = fields.Text(required=True)
    evaluation_id = fields.Many2one(
        "customer.credit.evaluation",
        check_company=True,
        domain="[('partner_id', '=', partner_id), ('state', '=', 'approved')]",
    )
    evaluation_grade_id = fields.Many2one(related="evaluation_id.grade_id", string="Grade")
    evaluation_recommended_limit = fields.Monetary(
        related="evaluation_id.recommended_limit", string="Recommended Limit"
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("to_approve", "To Approve"),
            ("approved", "Approved"),
            ("refused", "Refused"),
            ("expired", "Expired"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    director_required = fields.Boolean(
        compute="_compute_director_required",
        store=True,
        help="Above the company's director threshold a credit director approves too.",
    )
    manager_approver_id = fields.Many2one(
        "res.users", "Approved By (Manager)", readonly=True, copy=False, tracking=True
    )
    manager_approval_date = fields.Datetime(readonly=True, copy=False)
    director_approver_id = fields.Many2one(
        "res.users", "Approved By (Director)", readonly=True, copy=False, tracking=True
    )
    director_approval_date = fields.Datetime(readonly=True, copy=False)
    next_approver_id = fields.Many2one("res.users", readonly=True, copy=False)
    refused_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    refusal_reason = fields.Text(readonly=True, copy=False, tracking=True)
    previous_limit = fields.Monetary(
        readonly=True, copy=False, help="The limit replaced when this request was applied."
    )
    applied_date = fields.Datetime(readonly=True, copy=False)
    reverted_date = fields.Datetime(readonly=True, copy=False)
    user_can_approve = fields.Boolean(compute="_compute_user_can_approve")

    # ------------------------------------------------------------------ computes

    def _credit_granted_limit(self):
        self.ensure_one()
        return self.requested_limit

    @api.onchange("partner_id", "company_id", "credit_group_id")
    def _onchange_partner_current_limit(self):
        for request in self:
            request.current_limit = request._credit_current_limit()

    @api.depends("current_limit", "requested_limit")
    def _compute_limit_change(self):
        for request in self:
            request.limit_change = request.requested_limit - request.current_limit

    @api.depends("requested_limit", "company_id")
    def _compute_director_required(self):
        for request in self:
            threshold = request.company_id.credit_limit_director_threshold
            request.director_required = bool(threshold) and request.requested_limit > threshold

    @api.depends_context("uid")
    @api.depends("state", "manager_approver_id", "requested_by_id", "director_required")
    def _compute_user_can_approve(self):
        for request in self:
            request.user_can_approve = bool(
                request.state == "to_approve" and request._approval_step_for(self.env.user)
            )

    # ------------------------------------------------------------------ constraints

    @api.constrains("requested_limit")
    def _check_requested_limit(self):
        for request in self:
            if request.requested_limit < 0 and request.credit_group_id:
                raise ValidationError(
                    self.env._(
                        "The requested limit of credit group %(group)s cannot be negative "
                        "(%(amount)s). Request 0 for no group limit: the members' own limits "
                        "still apply.",
                        group=request.credit_group_id.display_name,
                        amount=request.requested_limit,
                    )
                )
            if request.requested_limit < 0:
                raise ValidationError(
                    self.env._(
                        "The requested limit cannot be negative (%(amount)s). Request 0 to "
                        "stop granting credit to %(partner)s.",
                        amount=request.requested_limit,
                        partner=request.partner_id.display_name,
                    )
                )

    @api.constrains("limit_type", "valid_until")
    def _check_valid_until(self):
        for request in self:
            if request.limit_type == "temporary" and not request.valid_until:
                raise ValidationError(
                    self.env._(
                        "A temporary limit needs a 'Valid Until' date: the limit reverts "
                        "after that day."
                    )
                )

    @api.constrains("credit_group_id", "requested_limit")
    def _check_group_sub_limits(self):
        self.filtered(lambda r: r.state == "draft")._credit_check_group_sub_limits()

    @api.constrains("partner_id")
    def _check_partner_commercial(self):
        self._credit_check_commercial_partner(
            lambda company, contact: self.env._(
                "Request the limit for the company %(company)s rather than its "
                "contact %(contact)s.",
                company=company,
                contact=contact,
            )
        )

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        self._credit_assign_sequence(vals_list, "customer.credit.limit.request")
        requests = super().create(vals_list)
        for request in requests:
            request._credit_workflow_write({"current_limit": request._credit_current_limit()})
        return requests

    def write(self, vals):
        if FROZEN_FIELDS & set(vals) and any(r.state != "draft" for r in self):
            raise UserError(
                self.env._("A submitted limit request cannot change: cancel it and make a new one.")
            )
        return super().write(vals)

    def unlink(self):
        if any(r.state not in ("draft", "cancelled") for r in self):
            raise UserError(self.env._("Only draft or cancelled limit requests can be deleted."))
        return super().unlink()

    # ------------------------------------------------------------------ approval rules

    def _approval_step_for(self, user):
        """'manager' or 'director' when ``user`` may approve the pending step, else False."""
        self.ensure_one()
        if self.state != "to_approve" or user in self._credit_preparers():
            return False
        if not self.manager_approver_id:
            return "manager" if self._credit_may_decide(user, self.company_id) else False
        if (
            self.director_required
            and user != self.manager_approver_id
            and user.has_group("customer_credit.group_credit_director")
        ):
            return "director"
        return False

    def _check_can_decide(self, action_label):
        """Raise unless the current user may approve or refuse the pending step."""
        self.ensure_one()
        user = self.env.user
        if self.state != "to_approve":
            raise UserError(
                self.env._("Limit request %(name)s is not waiting for approval.", name=self.name)
            )
        self._credit_check_decider(lambda request: request._credit_preparers(), action_label)
        step = self._approval_step_for(user)
        if step:
            return step
        if self.manager_approver_id == user:
            raise UserError(
                self.env._(
                    "You already approved %(name)s as credit manager: a different credit "
                    "director must give the second approval.",
                    name=self.name,
                )
            )
        self._credit_check_group(
            "customer_credit.group_credit_director", self.env._("give the second approval")
        )
        raise UserError(self.env._("You cannot approve this step of %(name)s.", name=self.name))

    def _credit_preparers(self):
        """Who asked for the limit: they never approve it."""
        self.ensure_one()
        return super()._credit_preparers() | self.requested_by_id

    # ------------------------------------------------------------------ workflow

    def action_submit(self):
        """Send the request to a credit manager (never to the requester)."""
        today = fields.Date.context_today(self)
        for request in self:
            if request.state != "draft":
                raise UserError(self.env._("Only draft limit requests can be submitted."))
            if request.limit_type == "temporary" and request.valid_until < today:
                raise UserError(
                    self.env._(
                        "The temporary limit of %(name)s would already have expired on "
                        "%(date)s: choose a later 'Valid Until' date.",
                        name=request.name,
                        date=request.valid_until,
                    )
                )
            request._credit_check_group_sub_limits()
            request._credit_workflow_write(
                {"current_limit": request._credit_current_limit(), "state": "to_approve"}
            )
            request._schedule_approval("customer_credit.group_credit_manager")
            request.message_post(
                body=self.env._(
                    "Submitted: limit %(current)s → %(requested)s (%(type)s). Approval by a "
                    "credit manager%(director)s.",
                    current=request.currency_id.format(request.current_limit),
                    requested=request.currency_id.format(request.requested_limit),
                    type=dict(request._fields["limit_type"]._description_selection(self.env))[
                        request.limit_type
                    ],
                    director=(
                        self.env._(" and a credit director") if request.director_required else ""
                    ),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _schedule_approval(self, group_xmlid):
        self.ensure_one()
        exclude = self._credit_preparers() | self.manager_approver_id
        group_manager = self.credit_group_id.sudo().credit_manager_id
        if self._credit_is_decider(group_manager, self.company_id, group_xmlid, exclude):
            approver = group_manager  # a group decision goes to the group's credit manager
        else:
            approver = self._credit_pick_approver(
                group_xmlid, self.partner_id, self.company_id, exclude=exclude
            )
        if not approver:
            group = self.env.ref(group_xmlid).sudo()
            self._credit_workflow_write({"next_approver_id": False})
            self.message_post(
                body=self.env._(
                    "Nobody can approve %(name)s yet: the approver must be a member of "
                    "%(group)s other than the requester and the first approver. The request "
                    "waits until such a user exists or the company names a deputy approver "
                    "(Settings > Customer Credit).",
                    name=self.name,
                    group=group.full_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            return
        self._credit_workflow_write({"next_approver_id": approver.id})
        self.activity_schedule(
            APPROVAL_ACTIVITY,
            user_id=approver.id,
            note=self.env._(
                "Approve or refuse the credit limit of %(requested)s for %(partner)s.",
                requested=self.currency_id.format(self.requested_limit),
                partner=(self.credit_group_id or self.partner_id).display_name,
            ),
        )

    def action_approve(self):
        """Approve the pending step; the last step applies the limit."""
        for request in self:
            step = request._check_can_decide(request.env._("approve credit limit requests"))
            if step == "director" or not request.director_required:
                # the last step sets the group limit: refused before anything is written
                # when a member's sub-limit is above it
                request._credit_check_group_sub_limits()
            now = fields.Datetime.now()
            request._credit_close_activities(APPROVAL_ACTIVITY, feedback=self.env._("Approved"))
            if step == "manager":
                request._credit_workflow_write(
                    {"manager_approver_id": self.env.uid, "manager_approval_date": now}
                )
                request.message_post(
                    body=self.env._(
                        "Approved by credit manager %(user)s.", user=self.env.user.name
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                if request.director_required:
                    request._schedule_approval("customer_credit.group_credit_director")
                    continue
            else:
                request._credit_workflow_write(
                    {"director_approver_id": self.env.uid, "director_approval_date": now}
                )
                request.message_post(
                    body=self.env._(
                        "Approved by credit director %(user)s.", user=self.env.user.name
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            request._apply_limit()
        return True

    def _apply_limit(self):
        self.ensure_one()
        previous = self._credit_set_limit(self.requested_limit)
        self._credit_workflow_write(
            {
                "state": "approved",
                "previous_limit": previous,
                "applied_date": fields.Datetime.now(),
                "next_approver_id": False,
            }
        )
        if self.credit_group_id:
            body = self.env._(
                "Limit of credit group %(group)s %(previous)s → %(limit)s applied "
                "(request %(name)s).",
                group=self.credit_group_id.name,
                previous=self.currency_id.format(previous),
                limit=self.currency_id.format(self.requested_limit),
                name=self.name,
            )
        else:
            body = self.env._(
                "Credit limit %(previous)s → %(limit)s applied (request %(name)s).",
                previous=self.currency_id.format(previous),
                limit=self.currency_id.format(self.requested_limit),
                name=self.name,
            )
        if self.limit_type == "temporary":
            body = self.env._(
                "%(body)s Temporary: it reverts to %(previous)s after %(date)s.",
                body=body,
                previous=self.currency_id.format(previous),
                date=self.valid_until,
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        self._credit_post_on_target(body)
        self._credit_record_decision(
            "limit_request_approved",
            self._credit_decision_partner(),
            self.company_id,
            old=previous,
            new=self.requested_limit,
            comment=self._credit_group_comment(self.reason),
            source=self,
        )

    def _credit_group_comment(self, comment):
        """The comment of a decision on the request, naming its credit group."""
        self.ensure_one()
        if not self.credit_group_id:
            return comment
        group = self.env._("Credit group %(group)s", group=self.credit_group_id.name)
        return f"{group}: {comment}"

    def _action_refuse(self, reason):
        for request in self:
            request._check_can_decide(request.env._("refuse credit limit requests"))
            request._credit_close_activities(
                APPROVAL_ACTIVITY, feedback=self.env._("Refused: %(reason)s", reason=reason)
            )
            request._credit_workflow_write(
                {
                    "state": "refused",
                    "refusal_reason": reason,
                    "refused_by_id": self.env.uid,
                    "next_approver_id": False,
                }
            )
            request.message_post(
                body=self.env._(
                    "Refused by %(user)s: %(reason)s", user=self.env.user.name, reason=reason
                ),
                subtype_xmlid="mail.mt_note",
            )
            request._credit_record_decision(
                "limit_request_refused",
                request._credit_decision_partner(),
                request.company_id,
                old=request.current_limit,
                new=request.requested_limit,
                comment=request._credit_group_comment(reason),
                source=request,
            )
        return True

    def action_refuse(self):
        return self.env["customer.credit.refuse.wizard"]._open_for(self)

    def action_cancel(self):
        """Withdraw a draft or pending request (requester or credit manager)."""
        for request in self:
            if request.state not in ("draft", "to_approve"):
                raise UserError(
                    self.env._("Only draft or pending limit requests can be cancelled.")
                )
            if request.requested_by_id != self.env.user:
                request._credit_check_group(
                    "customer_credit.group_credit_manager",
                    self.env._("cancel the limit requests of others"),
                )
            request._credit_close_activities(APPROVAL_ACTIVITY, feedback=self.env._("Cancelled"))
            request._credit_workflow_write({"state": "cancelled", "next_approver_id": False})
        return True

    def action_draft(self):
        for request in self:
            if request.state not in ("refused", "cancelled"):
                raise UserError(
                    self.env._("Only refused or cancelled limit requests go back to draft.")
                )
            if request.requested_by_id != self.env.user:
                request._credit_check_group(
                    "customer_credit.group_credit_manager",
                    self.env._("reopen the limit requests of others"),
                )
        self._credit_workflow_write(
            {
                "state": "draft",
                "manager_approver_id": False,
                "manager_approval_date": False,
                "director_approver_id": False,
                "director_approval_date": False,
                "refusal_reason": False,
                "refused_by_id": False,
            }
        )
        return True

    # ------------------------------------------------------------------ expiry

    def _revert_temporary_limit(self):
        """Give back the previous limit, unless the limit changed since (or, for a group,
        a member's sub-limit was raised above the previous group limit)."""
        self.ensure_one()
        holder = self._credit_limit_holder()
        blocked = self._credit_revert_blocked_by()
        if blocked:
            body = self.env._(
                "Temporary limit %(limit)s of credit group %(group)s expired on %(date)s but "
                "is kept: the sub-limit of %(members)s is above the previous group limit "
                "%(previous)s. Lower the sub-limits, then set the group limit (request "
                "%(name)s).",
                limit=self.currency_id.format(self.requested_limit),
                group=self.credit_group_id.name,
                date=self.valid_until,
                members=", ".join(blocked.partner_id.mapped("display_name")),
                previous=self.currency_id.format(self.previous_limit),
                name=self.name,
            )
        elif self.currency_id.compare_amounts(holder.credit_limit, self.requested_limit) == 0:
            self._credit_set_limit(self.previous_limit)
            body = self.env._(
                "Temporary credit limit %(limit)s expired on %(date)s: back to %(previous)s "
                "(request %(name)s).",
                limit=self.currency_id.format(self.requested_limit),
                date=self.valid_until,
                previous=self.currency_id.format(self.previous_limit),
                name=self.name,
            )
        else:
            body = self.env._(
                "Temporary credit limit %(limit)s expired on %(date)s; the limit was changed "
                "since (now %(current)s) and is kept (request %(name)s).",
                limit=self.currency_id.format(self.requested_limit),
                date=self.valid_until,
                current=self.currency_id.format(holder.credit_limit),
                name=self.name,
            )
        self._credit_workflow_write({"state": "expired", "reverted_date": fields.Datetime.now()})
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        self._credit_post_on_target(body)

    def _credit_revert_blocked_by(self):
        """Members whose sub-limit is above the group limit a temporary group limit would
        revert to (while that limit is still the group's)."""
        self.ensure_one()
        group = self.credit_group_id.sudo()
        currency = self.currency_id
        if (
            not group
            or currency.compare_amounts(group.credit_limit, self.requested_limit) != 0
            or currency.compare_amounts(self.previous_limit, 0.0) <= 0
        ):
            return self.env["customer.credit.group.member"]
        return group.member_ids.filtered(
            lambda m: (
                currency.compare_amounts(
                    m.partner_id.with_company(group.company_id).credit_limit, self.previous_limit
                )
                > 0
            )
        )

    @api.model
    def _cron_expire_temporary_limits(self):
        """Revert the temporary limits whose 'valid until' day is over."""
        today = fields.Date.context_today(self)
        requests = self.search(
            [
                ("state", "=", "approved"),
                ("limit_type", "=", "temporary"),
                ("valid_until", "<", today),
            ],
            order="valid_until, id",
        )
        reverted = self.env["customer.credit.monitor"]._run_isolated(
            self.env._("Expire temporary credit limits"),
            requests,
            lambda request: request._revert_temporary_limit(),
        )
        return len(reverted)
