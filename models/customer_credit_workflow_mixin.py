from odoo import api
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError


class CustomerCreditWorkflowMixin(models.AbstractModel):
    """One guard for every credit decision model: its workflow fields change only inside
    its action methods, which check who acts (group, four eyes) and then write through
    :meth:`_credit_workflow_write`.

    A caller of ``create``/``write`` (JSON-RPC included, whatever the ``context``) cannot
    set them: the guard is lifted only in superuser mode, which RPC cannot reach.
    """

    _name = "customer.credit.workflow.mixin"
    _description = "Credit Decision Workflow Guard"

    # State, decision fields and what a decision sets: never from create/write.
    _credit_workflow_fields = ()
    # Links of a decision to what it decides: set at creation, never changed after.
    _credit_fixed_fields = ()
    # Words for the error: which actions change the workflow fields.
    _credit_workflow_actions_hint = ""

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            protected = self._credit_guarded_fields()
            for vals in vals_list:
                self._credit_refuse_fields(protected & set(vals))
            defaults = {
                key[len("default_") :] for key in self.env.context if key.startswith("default_")
            }
            self._credit_refuse_fields(protected & defaults)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            protected = self._credit_guarded_fields() | set(self._credit_fixed_fields)
            self._credit_refuse_fields(protected & set(vals))
        return super().write(vals)

    @api.model
    def _credit_guarded_fields(self):
        """The workflow fields of the model, with the preparers of approval documents."""
        return set(self._credit_workflow_fields) | ({"credit_editor_ids"} & set(self._fields))

    def _credit_refuse_fields(self, names):
        if not names:
            return
        labels = ", ".join(
            sorted(self._fields[name]._description_string(self.env) for name in names)
        )
        raise AccessError(
            self.env._(
                "%(fields)s of a %(model)s cannot be set directly: they change only through "
                "the document's actions (%(actions)s), which check who is acting.",
                fields=labels,
                model=self._description,
                actions=self._credit_workflow_actions_hint or self.env._("its buttons"),
            )
        )

    def _credit_workflow_write(self, vals):
        """Write workflow fields after the calling action checked who acts."""
        return self.sudo().write(vals)

    # ------------------------------------------------------------------ who acts

    @api.model
    def _credit_deciders(self, partners, company, group_xmlid=None, exclude=None):
        """The one approver lookup: ``{partner id: users}`` who act for each customer.

        The customer's credit manager when they are active, in ``group_xmlid`` and in
        ``company``; else the group's members in the company (``_credit_group_members``).
        Users in ``exclude`` (the preparers, for four eyes) never.
        """
        group_xmlid = group_xmlid or "customer_credit.group_credit_manager"
        exclude = exclude or self.env["res.users"]
        members = None
        result = {}
        partners = partners.sudo().with_company(company)
        partners.commercial_partner_id.fetch(["credit_manager_id"])
        for partner in partners:
            manager = partner.commercial_partner_id.credit_manager_id
            if self._credit_is_decider(manager, company, group_xmlid, exclude):
                result[partner.id] = manager
                continue
            if members is None:
                members = self._credit_group_members(company, group_xmlid, exclude)
            result[partner.id] = members
        return result

    @api.model
    def _credit_group_members(self, company, group_xmlid=None, exclude=None):
        """Active internal members of ``group_xmlid`` in ``company``, oldest first (OdooBot
        never); none for the credit manager group: the company's deputy approver."""
        group_xmlid = group_xmlid or "customer_credit.group_credit_manager"
        exclude = exclude or self.env["res.users"]
        group = self.env.ref(group_xmlid).sudo()
        members = group.users.filtered(
            lambda user: self._credit_is_decider(user, company, group_xmlid, exclude)
        ).sorted("id")
        deputy = self._credit_deputy(company)
        if (
            not members
            and group_xmlid == "customer_credit.group_credit_manager"
            and deputy.active
            and deputy not in exclude
        ):
            members = deputy
        return members

    @api.model
    def _credit_is_decider(self, user, company, group_xmlid, exclude):
        return bool(
            user
            and user.active
            and not user.share
            and user != self.env.ref("base.user_root")
            and user not in exclude
            and self.env.ref(group_xmlid) in user.sudo().groups_id
            and company in user.sudo().company_ids
        )

    @api.model
    def _credit_deputy(self, company):
        """The company's deputy approver, when it names one."""
        return company.sudo().credit_deputy_approver_id

    def _credit_may_decide(self, user, company, group_xmlid="customer_credit.group_credit_manager"):
        """``user`` belongs to ``group_xmlid`` or is the company's deputy approver
        (the deputy stands in for a credit manager, never for a director)."""
        if user.has_group(group_xmlid):
            return True
        return (
            group_xmlid == "customer_credit.group_credit_manager"
            and user == self._credit_deputy(company)
        )

    def _credit_check_decider(self, preparers, action_label, group_xmlid=None):
        """Raise unless the current user may take the decision on every record of ``self``:
        member of ``group_xmlid`` (or the deputy) and not one of ``preparers(record)``."""
        group_xmlid = group_xmlid or "customer_credit.group_credit_manager"
        user = self.env.user
        for record in self:
            company = record.company_id or self.env.company
            if not self._credit_may_decide(user, company, group_xmlid):
                group = self.env.ref(group_xmlid).sudo()
                raise AccessError(
                    self.env._(
                        "Only members of %(group)s can %(action)s. Ask one of them to do it.",
                        group=group.full_name,
                        action=action_label,
                    )
                )
            if user in preparers(record):
                raise UserError(
                    self.env._(
                        "You requested or prepared %(name)s: another credit manager must "
                        "%(action)s. If you are the only one, your company can name a deputy "
                        "approver in Settings > Customer Credit; until then the decision waits.",
                        name=record.display_name,
                        action=action_label,
                    )
                )

    # ------------------------------------------------------------------ ledger

    @api.model
    def _credit_context_source(self):
        """The document an approval flow names as the source of the decision it writes
        (``credit_decision_source`` = "model,id" in the context), honoured only in
        superuser mode: an RPC caller cannot pretend a change came from a document."""
        reference = self.env.context.get("credit_decision_source") if self.env.su else None
        if not isinstance(reference, str) or "," not in reference:
            return None
        model, res_id = reference.split(",", 1)
        if model not in self.env or not res_id.isdigit():
            return None
        return self.env[model].sudo().browse(int(res_id)).exists() or None

    @api.model
    def _credit_record_decision(
        self, kind, partner, company, old=None, new=None, comment=None, source=None
    ):
        """Append a credit decision to the company's tamper-evident ledger."""
        return self.env["customer.credit.decision"]._record(
            kind, partner, company, old=old, new=new, comment=comment, source=source
        )
