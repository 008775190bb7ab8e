from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.credit_groups import member_share_percent


class CustomerCreditGroupMember(models.Model):
    """A customer (commercial partner) in a credit group of a company. Its sub-limit is
    its own credit limit in that company: editing one edits the other."""

    _name = "customer.credit.group.member"
    _description = "Credit Group Member"
    _order = "group_id, id"
    _check_company_auto = True

    group_id = fields.Many2one(
        "customer.credit.group", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="group_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        "Member",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('is_company', '=', True), ('company_id', 'in', [company_id, False])]",
    )
    credit_limit = fields.Monetary(
        "Sub-limit",
        compute="_compute_credit_limit",
        inverse="_inverse_credit_limit",
        help="The member's own credit limit in the group's company (0 = none: only the "
        "group limit applies to it).",
    )
    credit_exposure = fields.Monetary("Exposure", compute="_compute_figures")
    credit_available = fields.Monetary("Available Credit", compute="_compute_figures")
    credit_utilization = fields.Float("Credit Used (%)", compute="_compute_figures")
    credit_share = fields.Float(
        "Share of Group (%)", compute="_compute_figures", help="Of the group's exposure."
    )

    _sql_constraints = [
        (
            "partner_company_uniq",
            "unique(partner_id, company_id)",
            "A customer belongs to at most one credit group per company.",
        ),
    ]

    @api.model
    def _memberships_around(self, company, partner_ids):
        """{commercial partner id: its active credit group id in ``company``} for every
        member of the groups of ``partner_ids`` (them included): what the credit check
        of those customers reads, their groups' exposure being their members' sum."""
        if not partner_ids:
            return {}
        self.flush_model(["partner_id", "group_id", "company_id"])
        self.env["customer.credit.group"].flush_model(["active"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT m.partner_id, m.group_id
                  FROM customer_credit_group_member m
                  JOIN customer_credit_group g ON g.id = m.group_id
                 WHERE g.active
                   AND m.group_id IN (SELECT group_id
                                        FROM customer_credit_group_member
                                       WHERE company_id = %s AND partner_id = ANY(%s))
                """,
                company.id,
                list(partner_ids),
            )
        )
        return dict(rows)

    @api.model_create_multi
    def create(self, vals_list):
        # Checked before the insert, so that a second membership is a ValidationError
        # that says where the customer already is (the unique index stays the guard).
        seen = set()
        for vals in vals_list:
            group = self.env["customer.credit.group"].browse(vals.get("group_id")).exists()
            partner = self.env["res.partner"].browse(vals.get("partner_id")).exists()
            if group and partner:
                key = (partner.id, group.company_id.id)
                if key in seen:
                    raise ValidationError(
                        self.env._(
                            "%(partner)s is listed twice: a customer belongs to one credit "
                            "group per company.",
                            partner=partner.display_name,
                        )
                    )
                seen.add(key)
                self._check_not_member_elsewhere(partner, group)
        members = super().create(vals_list)
        for member in members:
            member._record_membership("group_member_added")
        return members

    def write(self, vals):
        moved = {"partner_id", "group_id"} & set(vals)
        if moved:
            for member in self:
                member._record_membership("group_member_removed")
        result = super().write(vals)
        if moved:
            for member in self:
                member._record_membership("group_member_added")
        return result

    def unlink(self):
        for member in self:
            member._record_membership("group_member_removed")
        return super().unlink()

    def _record_membership(self, kind):
        """Joining or leaving a group changes what limits a customer is checked against:
        a credit decision, recorded in the ledger."""
        self.env["customer.credit.workflow.mixin"]._credit_record_decision(
            kind,
            self.partner_id,
            self.company_id,
            new=self.group_id.display_name if kind == "group_member_added" else None,
            old=self.group_id.display_name if kind == "group_member_removed" else None,
            source=self.group_id,
        )

    @api.depends("partner_id", "company_id")
    def _compute_credit_limit(self):
        for member in self:
            partner = member.partner_id.sudo().with_company(member.company_id)
            member.credit_limit = partner.credit_limit if partner else 0.0

    def _inverse_credit_limit(self):
        # The partner's own guard applies (credit managers only) and records the decision.
        for member in self:
            partner = member.partner_id.with_company(member.company_id)
            if partner.credit_limit != member.credit_limit:
                partner.credit_limit = member.credit_limit

    @api.depends("partner_id", "group_id", "company_id")
    def _compute_figures(self):
        groups = self.group_id
        group_totals = {group.id: group.credit_exposure for group in groups}
        for company in self.company_id:
            members = self.filtered(lambda m, c=company: m.company_id == c)
            partners = members.partner_id.sudo().with_company(company)
            exposures = {
                p.id: (p.credit_exposure, p.credit_available, p.credit_utilization)
                for p in partners
            }
            for member in members:
                exposure, available, utilisation = exposures.get(
                    member.partner_id.id, (0.0, 0.0, 0.0)
                )
                member.credit_exposure = exposure
                member.credit_available = available
                member.credit_utilization = utilisation
                member.credit_share = member_share_percent(
                    exposure, group_totals.get(member.group_id.id, 0.0)
                )
        (self - self.filtered("company_id")).update(
            {
                "credit_exposure": 0.0,
                "credit_available": 0.0,
                "credit_utilization": 0.0,
                "credit_share": 0.0,
            }
        )

    @api.constrains("partner_id", "group_id")
    def _check_member(self):
        for member in self:
            partner, group = member.partner_id, member.group_id
            if partner.commercial_partner_id != partner:
                raise ValidationError(
                    self.env._(
                        "%(partner)s is a contact of %(company)s: add %(company)s to the "
                        "credit group %(group)s instead (its contacts' documents count for it).",
                        partner=partner.display_name,
                        company=partner.commercial_partner_id.display_name,
                        group=group.display_name,
                    )
                )
            if partner.company_id and partner.company_id != group.company_id:
                raise ValidationError(
                    self.env._(
                        "%(partner)s belongs to the company %(company)s and cannot be a member "
                        "of the credit group %(group)s of %(group_company)s.",
                        partner=partner.display_name,
                        company=partner.company_id.name,
                        group=group.display_name,
                        group_company=group.company_id.name,
                    )
                )
            member._check_not_member_elsewhere(partner, group, exclude=member)
        self._check_sub_limit()

    @api.model
    def _check_not_member_elsewhere(self, partner, group, exclude=None):
        other = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", group.company_id.id),
                    ("id", "!=", exclude.id if exclude else False),
                ],
                limit=1,
            )
        )
        if other:
            raise ValidationError(
                self.env._(
                    "%(partner)s is already a member of the credit group %(other)s in "
                    "%(company)s: a customer belongs to one credit group per company. "
                    "Remove it from %(other)s first.",
                    partner=partner.display_name,
                    other=other.group_id.display_name,
                    company=group.company_id.name,
                )
            )

    def _check_sub_limit(self):
        for member in self:
            group_limit = member.group_id.credit_limit
            sub_limit = member.partner_id.sudo().with_company(member.company_id).credit_limit
            currency = member.company_id.currency_id
            if group_limit > 0 and currency.compare_amounts(sub_limit, group_limit) > 0:
                raise ValidationError(
                    self.env._(
                        "The sub-limit of %(partner)s (%(sub)s) is above the limit of its "
                        "credit group %(group)s (%(limit)s): lower the sub-limit or raise the "
                        "group limit.",
                        partner=member.partner_id.display_name,
                        sub=currency.format(sub_limit),
                        group=member.group_id.display_name,
                        limit=currency.format(group_limit),
                    )
                )
