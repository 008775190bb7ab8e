from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.credit_exposure import available_credit
from ..tools.credit_exposure import utilisation_percent
from ..tools.credit_groups import GROUP_COMPONENTS
from ..tools.credit_groups import empty_group_values
from ..tools.credit_groups import group_exposure_sql
from ..tools.credit_groups import group_over_limit_sql
from ..tools.credit_groups import group_values_from_row
from ..tools.sql_settings import whole_ledger_statement

GROUP_POLICIES = [("warn", "Warn"), ("block", "Block")]

# Group fields whose change is a credit decision, and the ledger kind it is recorded as.
GROUP_DECISION_FIELDS = {"credit_limit": "limit", "credit_control_policy": "policy"}


class CustomerCreditGroup(models.Model):
    """集团授信: one credit limit shared by related customers (a parent company and its
    subsidiaries, a buying group), each member also checked against its own limit."""

    _name = "customer.credit.group"
    _description = "Credit Group"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(tracking=True, help="Short reference, e.g. the group's registration code.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    parent_partner_id = fields.Many2one(
        "res.partner",
        "Parent Company",
        domain="[('is_company', '=', True)]",
        help="The group's head company: choosing it proposes its subsidiaries as members.",
    )
    credit_limit = fields.Monetary(
        "Group Credit Limit",
        tracking=True,
        help="Shared by every member: their exposure together may not exceed it. 0 = no "
        "group limit (the members' own limits still apply).",
    )
    credit_control_policy = fields.Selection(
        GROUP_POLICIES,
        "Group Credit Policy",
        default="block",
        required=True,
        tracking=True,
        help="What happens when an order would take the group over its limit.",
    )
    credit_manager_id = fields.Many2one(
        "res.users",
        tracking=True,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("customer_credit.group_credit_manager").ids)
        ],
    )
    review_date = fields.Date("Next Review", tracking=True)
    note = fields.Html()
    member_ids = fields.One2many("customer.credit.group.member", "group_id", "Members")
    member_count = fields.Integer(compute="_compute_member_count")
    locked_on = fields.Datetime(
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="Touched by every credit-checked confirmation of a member (serialisation).",
    )

    # Exposure of the group: the sum of its members', computed in SQL per batch.
    credit_receivable_not_due = fields.Monetary("Open, Not Due", compute="_compute_exposure")
    credit_overdue = fields.Monetary("Overdue", compute="_compute_exposure")
    credit_overdue_beyond_tolerance = fields.Monetary(
        "Overdue Beyond Tolerance", compute="_compute_exposure"
    )
    credit_unapplied = fields.Monetary(
        "Unapplied Payments & Credit Notes", compute="_compute_exposure"
    )
    credit_draft_invoices = fields.Monetary("Draft Invoices", compute="_compute_exposure")
    credit_orders_uninvoiced = fields.Monetary("Orders Not Invoiced", compute="_compute_exposure")
    credit_exposure = fields.Monetary("Group Exposure", compute="_compute_exposure")
    credit_available = fields.Monetary("Group Available Credit", compute="_compute_exposure")
    credit_utilization = fields.Float("Group Credit Used (%)", compute="_compute_exposure")
    credit_over_limit = fields.Boolean(
        "Group Over Limit", compute="_compute_exposure", search="_search_credit_over_limit"
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "Another credit group of this company has the same code.",
        ),
    ]

    @api.depends("member_ids")
    def _compute_member_count(self):
        for group in self:
            group.member_count = len(group.member_ids)

    @api.depends_context("date")
    @api.depends("credit_limit", "member_ids.partner_id")
    def _compute_exposure(self):
        values = self._credit_group_exposure()
        for group in self:
            figures = dict(values.get(group.id) or empty_group_values())
            exposure = sum(figures[name] for name in GROUP_COMPONENTS)
            limit = group.credit_limit
            figures.update(
                credit_exposure=exposure,
                credit_available=available_credit(limit, exposure),
                credit_utilization=utilisation_percent(limit, exposure),
                credit_over_limit=bool(limit) and exposure > limit,
            )
            group.update(figures)

    def _credit_group_exposure(self, today=None):
        """{group id: exposure components}, one query per company of the batch."""
        result = {}
        stored = self.filtered("id")._origin
        if not stored:
            return result
        self._credit_group_flush()
        by_company = {}
        for group in stored.sudo():
            by_company.setdefault(group.company_id, []).append(group.id)
        if len(stored) > 10:
            whole_ledger_statement(self.env.cr)
        for company, group_ids in by_company.items():
            day = today or fields.Date.context_today(self.with_company(company))
            rows = self.env.execute_query(
                group_exposure_sql(
                    company.id,
                    day,
                    group_ids,
                    tolerance_days=company.credit_overdue_tolerance_days,
                )
            )
            result.update({row[0]: group_values_from_row(row) for row in rows})
        return result

    def _credit_group_flush(self):
        self.env["res.partner"]._credit_flush()
        self.env["customer.credit.group"].flush_model(["credit_limit", "active", "company_id"])
        self.env["customer.credit.group.member"].flush_model(
            ["group_id", "partner_id", "company_id"]
        )

    def _search_credit_over_limit(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise ValidationError(self.env._("Unsupported search on 'Group Over Limit'."))
        self._credit_group_flush()
        ids = []
        whole_ledger_statement(self.env.cr)
        for company in self.env.companies:
            rows = self.env.execute_query(group_over_limit_sql(company.id))
            ids += [row[0] for row in rows]
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", ids)]

    # ------------------------------------------------------------------ constraints

    @api.constrains("credit_limit")
    def _check_credit_limit(self):
        for group in self:
            if group.credit_limit < 0:
                raise ValidationError(
                    self.env._(
                        "The credit limit of group %(group)s cannot be negative: enter 0 for "
                        "no group limit, or a positive amount.",
                        group=group.display_name,
                    )
                )
        self.member_ids._check_sub_limit()

    def _credit_counterparties(self):
        """Who may sign an agreement or ask for a limit for the group: its parent company
        and its members."""
        self.ensure_one()
        group = self.sudo()
        return group.parent_partner_id.commercial_partner_id | group.member_ids.partner_id

    def _credit_check_new_limit(self, limit, document):
        """Raise before anything is written when ``document`` would set the group limit
        below a member's sub-limit (0 = no group limit: always possible)."""
        self.ensure_one()
        currency = self.company_id.currency_id
        if currency.compare_amounts(limit, 0.0) <= 0:
            return
        # read from the partners: the members' computed sub-limit may be cached from before
        sub_limits = {
            member: member.partner_id.sudo().with_company(self.company_id).credit_limit
            for member in self.sudo().member_ids
        }
        above = [m for m, sub in sub_limits.items() if currency.compare_amounts(sub, limit) > 0]
        if above:
            raise ValidationError(
                self.env._(
                    "%(document)s would set the limit of credit group %(group)s to %(limit)s, "
                    "below the sub-limit of %(members)s. Lower those sub-limits first, or set "
                    "a group limit of at least %(highest)s.",
                    document=document,
                    group=self.display_name,
                    limit=currency.format(limit),
                    members=", ".join(
                        f"{m.partner_id.display_name} ({currency.format(sub_limits[m])})"
                        for m in above
                    ),
                    highest=currency.format(max(sub_limits[m] for m in above)),
                )
            )

    @api.onchange("parent_partner_id")
    def _onchange_parent_partner_id(self):
        """Propose the parent company and its commercial subsidiaries as members."""
        parent = self.parent_partner_id.commercial_partner_id
        if not parent:
            return
        if not self.name:
            self.name = parent.name
        candidates = self.env["res.partner"].search(
            [
                ("id", "child_of", parent.id),
                ("is_company", "=", True),
                ("commercial_partner_id", "!=", False),
                ("company_id", "in", [self.company_id.id, False]),
            ]
        )
        candidates = candidates.filtered(lambda p: p.commercial_partner_id == p)
        present = self.member_ids.partner_id
        self.member_ids = [
            Command.create({"partner_id": partner.id}) for partner in candidates - present
        ]

    # ------------------------------------------------------------------ decisions

    def write(self, vals):
        watched = [name for name in GROUP_DECISION_FIELDS if name in vals]
        before = {group.id: {name: group[name] for name in watched} for group in self}
        result = super().write(vals)
        if watched:
            Ledger = self.env["customer.credit.workflow.mixin"]
            # an agreement or a limit request that sets the limit is the decision's source
            source = Ledger._credit_context_source()
            for group in self:
                for name in watched:
                    old, new = before[group.id][name], group[name]
                    if old != new:
                        Ledger._credit_record_decision(
                            GROUP_DECISION_FIELDS[name],
                            self.env["res.partner"],
                            group.company_id,
                            old=old,
                            new=new,
                            comment=self.env._("Credit group %(group)s", group=group.name),
                            source=source or group,
                        )
        return result

    @api.model_create_multi
    def create(self, vals_list):
        groups = super().create(vals_list)
        Ledger = self.env["customer.credit.workflow.mixin"]
        for group in groups:
            if group.credit_limit:
                Ledger._credit_record_decision(
                    "limit",
                    self.env["res.partner"],
                    group.company_id,
                    old=0.0,
                    new=group.credit_limit,
                    comment=self.env._("Credit group %(group)s", group=group.name),
                    source=group,
                )
        return groups

    def _credit_automatic_holds(self):
        """{group id: [(member partner, hold reason)]}: members the overdue escalation put
        on hold (manual holds stay the member's own affair)."""
        result = {}
        for group in self:
            partners = group.member_ids.partner_id.sudo().with_company(group.company_id)
            held = partners.filtered(lambda p: p.credit_hold and p.credit_hold_auto)
            if held:
                result[group.id] = [(p, p.credit_hold_reason or "") for p in held]
        return result

    # ------------------------------------------------------------------ confirmation lock

    def _credit_touch_lock(self):
        """Update each group's row under the group's advisory lock: a transaction whose
        snapshot predates another member's committed confirmation fails with a
        serialization error (retried by Odoo) instead of reading a stale group exposure."""
        for group_id in sorted(self.ids):
            self.env.cr.execute(
                SQL(
                    "UPDATE customer_credit_group SET locked_on = NOW() AT TIME ZONE 'UTC'"
                    " WHERE id = %s",
                    group_id,
                ),
                log_exceptions=False,
            )

    # ------------------------------------------------------------------ actions

    def action_view_members(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Members of %(group)s", group=self.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", self.member_ids.partner_id.ids)],
            "context": {"create": False},
        }
