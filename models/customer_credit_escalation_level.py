from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from ..tools.monitoring_rules import LevelSpec

# Shipped defaults, created for every company: (code, name, days, actions, template xmlid).
DEFAULT_LEVELS = (
    (
        "L1",
        "Reminder",
        1,
        ("action_email_customer", "action_activity_salesperson"),
        "customer_credit.mail_template_credit_escalation_l1",
    ),
    (
        "L2",
        "Warning",
        15,
        ("action_activity_manager", "action_set_warning"),
        "customer_credit.mail_template_credit_escalation_l2",
    ),
    (
        "L3",
        "Credit hold",
        30,
        ("action_credit_hold",),
        "customer_credit.mail_template_credit_escalation_l3",
    ),
    (
        "L4",
        "Collection",
        60,
        ("action_collection_case",),
        "customer_credit.mail_template_credit_escalation_l4",
    ),
)


class CustomerCreditEscalationLevel(models.Model):
    _name = "customer.credit.escalation.level"
    _description = "Overdue Escalation Level"
    _order = "company_id, days, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Short label shown in logs and chatter, e.g. L1.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    days = fields.Integer(
        "Days Overdue",
        required=True,
        help="The level applies to an invoice once it is this many days past due. A negative "
        "number makes a courtesy reminder that many days before the due date.",
    )
    action_email_customer = fields.Boolean(
        "Write to the Customer",
        help="Write to the customer's invoicing contact (else the customer): by email, by a "
        "printed letter or both (see Channel). A customer without an email address gets a "
        "letter to print and an activity for its credit manager.",
    )
    channel = fields.Selection(
        [("email", "Email"), ("letter", "Printed Letter"), ("both", "Email and Letter")],
        default="email",
        required=True,
        help="How the level writes to the customer. Letters wait in Letters to Print, "
        "printed as one PDF per day.",
    )
    attach_statement = fields.Boolean(
        help="Attach the customer's statement of the last 12 months to the email "
        "(and print it after the letter)."
    )
    attach_invoices = fields.Boolean(
        "Attach the Invoices",
        help="Attach the PDF of each invoice the message lists (the overdue invoices; for a "
        "courtesy reminder, the invoices falling due).",
    )
    action_activity_salesperson = fields.Boolean(
        "Activity for the Salesperson",
        help="Schedule a follow-up activity for the customer's salesperson "
        "(its credit manager when it has none).",
    )
    action_activity_manager = fields.Boolean(
        "Activity for the Credit Manager",
        help="Schedule an activity for the customer's credit manager, "
        "or for every credit manager of the company when none is set.",
    )
    action_set_warning = fields.Boolean(
        "Set Status 'Warning'",
        help="Mark the customer as under warning. Cleared automatically when no invoice "
        "is overdue this many days any more.",
    )
    action_credit_hold = fields.Boolean(
        "Credit Hold",
        help="Put the customer on credit hold. The hold is released automatically when no "
        "invoice is overdue this many days any more; a hold set by hand is never released.",
    )
    action_collection_case = fields.Boolean(
        "Open a Collection Case",
        help="Open a collection case for the invoices reaching this level, or add them "
        "to the customer's open case.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        "Email Template",
        domain=[("model", "=", "res.partner")],
        help="Email sent to the customer when 'Email the Customer' is ticked.",
    )
    note = fields.Text("Internal Note", translate=True)
    log_count = fields.Integer(compute="_compute_log_count", string="Applied")

    def _compute_log_count(self):
        counts = dict(
            self.env["customer.credit.escalation.log"]._read_group(
                [("level_id", "in", self.ids)], ["level_id"], ["__count"]
            )
        )
        for level in self:
            level.log_count = counts.get(level, 0)

    @api.depends("code", "name", "days")
    def _compute_display_name(self):
        for level in self:
            level.display_name = self.env._(
                "%(code)s %(name)s (%(days)s days)",
                code=level.code or "",
                name=level.name or "",
                days=level.days,
            )

    @api.constrains(
        "days",
        "company_id",
        "active",
        "action_set_warning",
        "action_credit_hold",
        "action_collection_case",
    )
    def _check_days(self):
        for level in self:
            if level.days < 0 and (
                level.action_set_warning or level.action_credit_hold or level.action_collection_case
            ):
                raise ValidationError(
                    self.env._(
                        "Level %(level)s starts %(days)s days before the due date: a courtesy "
                        "reminder can write to the customer and ask the salesperson to follow "
                        "up, not set a warning, a credit hold or a collection case. Untick "
                        "those actions or enter 0 or more days past the due date.",
                        level=level.code or level.name,
                        days=-level.days,
                    )
                )
            same = self.search(
                [
                    ("id", "!=", level.id),
                    ("company_id", "=", level.company_id.id),
                    ("days", "=", level.days),
                ]
            )
            if level.active and same.filtered("active"):
                raise ValidationError(
                    self.env._(
                        "Levels %(level)s and %(other)s both start at %(days)s days overdue "
                        "in %(company)s. Give each level its own number of days.",
                        level=level.code or level.name,
                        other=same[0].code or same[0].name,
                        days=level.days,
                        company=level.company_id.name,
                    )
                )

    def _level_specs(self):
        """LevelSpec of each active level of the company in context, by id."""
        levels = self.search([("company_id", "=", self.env.company.id)])
        return {
            level.id: LevelSpec(
                id=level.id,
                days=level.days,
                email=level.action_email_customer,
                activity_salesperson=level.action_activity_salesperson,
                activity_manager=level.action_activity_manager,
                set_warning=level.action_set_warning,
                credit_hold=level.action_credit_hold,
                collection_case=level.action_collection_case,
                template_id=level.mail_template_id.id,
                channel=level.channel,
                attach_statement=level.attach_statement,
                attach_invoices=level.attach_invoices,
            )
            for level in levels
        }

    @api.model
    def _default_values_for_company(self, company):
        """Values of the shipped levels for ``company``."""
        vals_list = []
        for code, name, days, actions, template_xmlid in DEFAULT_LEVELS:
            template = self.env.ref(template_xmlid, raise_if_not_found=False)
            vals = {
                "code": code,
                "name": name,
                "days": days,
                "company_id": company.id,
                "mail_template_id": template.id if template else False,
            }
            vals.update(dict.fromkeys(actions, True))
            vals_list.append(vals)
        return vals_list

    @api.model
    def _create_default_levels(self, companies=None):
        """Create the shipped levels for the companies that have none."""
        companies = companies if companies is not None else self.env["res.company"].search([])
        with_levels = {
            company.id
            for [company] in self.sudo()
            .with_context(active_test=False)
            ._read_group([("company_id", "in", companies.ids)], ["company_id"])
        }
        vals_list = []
        for company in companies.filtered(lambda c: c.id not in with_levels):
            vals_list += self._default_values_for_company(company)
        return self.sudo().create(vals_list)

    def action_view_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_credit.customer_credit_escalation_log_action"
        )
        action["domain"] = [("level_id", "=", self.id)]
        return action
