from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError


class CustomerCreditGroupTargetMixin(models.AbstractModel):
    """A credit decision document (agreement, limit request) that sets the limit of a
    credit group (集团授信) when ``credit_group_id`` is set, of its customer otherwise.

    The customer stays the counterparty: the group's parent company or one of its
    members signs the agreement or asks for the limit.
    """

    _name = "customer.credit.group.target.mixin"
    _description = "Credit Decision for a Customer or a Credit Group"

    credit_group_id = fields.Many2one(
        "customer.credit.group",
        check_company=True,
        index="btree_not_null",
        tracking=True,
        help="Set for a group decision (集团授信): the document sets the group's shared limit "
        "instead of the customer's. The customer is then the group's parent company or a "
        "member, who signs or asks for it.",
    )

    def _credit_granted_limit(self):
        """The limit the document sets, in the company's currency."""
        raise NotImplementedError

    def _credit_limit_holder(self):
        """The record whose ``credit_limit`` the document sets (sudo): the group, or the
        customer in the document's company."""
        self.ensure_one()
        if self.credit_group_id:
            return self.credit_group_id.sudo()
        return self.partner_id.sudo().with_company(self.company_id)

    def _credit_current_limit(self):
        self.ensure_one()
        if not (self.credit_group_id or self.partner_id):
            return 0.0
        return self._credit_limit_holder().credit_limit

    def _credit_set_limit(self, limit):
        """Write ``limit`` on the group or the customer; their ledger records the decision
        with this document as its source. Returns the limit replaced."""
        self.ensure_one()
        holder = self._credit_limit_holder()
        previous = holder.credit_limit
        holder.with_context(credit_decision_source=f"{self._name},{self.id}").write(
            {"credit_limit": limit}
        )
        return previous

    def _credit_decision_partner(self):
        """Customer a decision on this document is recorded for: none for a group decision
        (its comment and source name the group), as the group's own decisions."""
        self.ensure_one()
        return self.env["res.partner"] if self.credit_group_id else self.partner_id

    def _credit_post_on_target(self, body):
        """Tell the group (or the customer) in its chatter."""
        self.ensure_one()
        target = self.credit_group_id or self.partner_id
        target.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    @api.onchange("credit_group_id")
    def _onchange_credit_group_id(self):
        group = self.credit_group_id
        if group and self.partner_id not in group._credit_counterparties():
            self.partner_id = group.parent_partner_id or group.member_ids.partner_id[:1]

    @api.constrains("credit_group_id", "partner_id", "company_id")
    def _check_credit_group_target(self):
        for record in self.filtered("credit_group_id"):
            group = record.credit_group_id.sudo()
            if group.company_id != record.company_id:
                raise ValidationError(
                    self.env._(
                        "The credit group %(group)s belongs to %(group_company)s, %(name)s to "
                        "%(company)s: choose a credit group of %(company)s.",
                        group=group.display_name,
                        group_company=group.company_id.name,
                        name=record.display_name,
                        company=record.company_id.name,
                    )
                )
            if record.partner_id.commercial_partner_id not in group._credit_counterparties():
                raise ValidationError(
                    self.env._(
                        "%(partner)s is neither the parent company nor a member of the credit "
                        "group %(group)s: choose the group's parent company or one of its "
                        "members as the customer of %(name)s.",
                        partner=record.partner_id.display_name,
                        group=group.display_name,
                        name=record.display_name,
                    )
                )

    def _credit_check_group_sub_limits(self):
        """Refuse a group limit below a member's sub-limit before anything is written."""
        for record in self.filtered("credit_group_id"):
            record.credit_group_id.sudo()._credit_check_new_limit(
                record._credit_granted_limit(), record.display_name
            )
