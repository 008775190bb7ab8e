from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError


class CustomerCreditApprovalMixin(models.AbstractModel):
    _name = "customer.credit.approval.mixin"
    _inherit = ["customer.credit.workflow.mixin"]
    _description = "Credit Approval Helpers"

    # What evaluations, limit requests and agreements have in common.
    name = fields.Char(
        "Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        tracking=True,
        check_company=True,
        index=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    credit_editor_ids = fields.Many2many(
        "res.users",
        string="Prepared By",
        readonly=True,
        copy=False,
        help="Everyone who created the document or changed its terms: none of them may "
        "take the decision on it (four eyes).",
    )

    # Fields a write may change without making the writer one of the preparers.
    _credit_neutral_fields = frozenset(
        {
            "message_main_attachment_id",
            "message_follower_ids",
            "activity_ids",
            "user_id",
        }
    )

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._credit_workflow_write({"credit_editor_ids": [(4, self.env.uid)]})
        return records

    def write(self, vals):
        result = super().write(vals)
        terms = set(vals) - self._credit_guarded_fields() - self._credit_neutral_fields
        if terms and not self.env.su:
            # whoever sets the terms prepares the decision: they never take it
            self._credit_workflow_write({"credit_editor_ids": [(4, self.env.uid)]})
        return result

    def _credit_preparers(self):
        """Who requested or prepared the decision: they never take it."""
        self.ensure_one()
        return self.create_uid | self.credit_editor_ids

    @api.model
    def _credit_assign_sequence(self, vals_list, sequence_code):
        """Give each new record without a reference the next number of ``sequence_code``."""
        new = self.env._("New")
        for vals in vals_list:
            if vals.get("name", new) == new:
                vals["name"] = self.env["ir.sequence"].next_by_code(sequence_code) or new

    def _credit_check_commercial_partner(self, message):
        """Credit is granted to companies: refuse a contact, ``message(company, contact)``."""
        for record in self:
            commercial = record.partner_id.commercial_partner_id
            if commercial != record.partner_id:
                raise ValidationError(
                    message(commercial.display_name, record.partner_id.display_name)
                )

    @api.model
    def _credit_pick_approver(self, group_xmlid, partner, company, exclude=None):
        """User of ``group_xmlid`` who should act on ``partner``'s document, or an empty
        recordset (see ``_credit_deciders``)."""
        return self._credit_deciders(partner, company, group_xmlid, exclude)[partner.id][:1]

    def _credit_check_group(self, group_xmlid, action_label):
        if self.env.su or self.env.user.has_group(group_xmlid):
            return
        group = self.env.ref(group_xmlid)
        raise AccessError(
            self.env._(
                "Only members of %(group)s can %(action)s. Ask one of them to do it.",
                group=group.sudo().full_name,
                action=action_label,
            )
        )

    def _credit_close_activities(self, activity_xmlid, feedback=None, user=None):
        """Mark the pending activities of type ``activity_xmlid`` done (``user``'s, or all)."""
        activity_type = self.env.ref(activity_xmlid)
        for record in self:
            activities = record.activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type and (not user or a.user_id == user)
            )
            if activities:
                activities.sudo().action_feedback(feedback=feedback)
