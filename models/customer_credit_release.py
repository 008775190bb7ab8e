from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

from ..tools.credit_check import reasons_covered

RELEASE_STATES = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("refused", "Refused"),
    ("void", "Void"),
    ("used", "Used"),
]


class CustomerCreditRelease(models.Model):
    """A request to confirm one order, or post one customer invoice, despite the credit
    check, and the credit manager's decision. An approved release lets its order confirm,
    or its invoice post, once. Exactly one of ``order_id`` and ``move_id`` is set."""

    _name = "customer.credit.release"
    _description = "Credit Release"
    _inherit = ["mail.thread", "mail.activity.mixin", "customer.credit.workflow.mixin"]
    _order = "request_date desc, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

    # Set by the request itself (snapshot, reasons) and by the decisions; never by a caller.
    _credit_workflow_fields = (
        "name",
        "company_id",
        "partner_id",
        "order_partner_id",
        "amount_total",
        "currency_id",
        "payment_term_id",
        "salesperson_id",
        "reason_codes",
        "reason_lines",
        "requester_id",
        "request_date",
        "state",
        "decided_by_id",
        "decided_on",
        "decision_comment",
        "void_reason",
        "used_on",
    )
    _credit_fixed_fields = ("order_id", "move_id", "request_comment")
    _credit_workflow_actions_hint = "Request Credit Release, Approve, Refuse"

    name = fields.Char(compute="_compute_name", store=True)
    order_id = fields.Many2one(
        "sale.order",
        ondelete="cascade",
        index=True,
        check_company=True,
        readonly=True,
    )
    move_id = fields.Many2one(
        "account.move",
        "Invoice",
        ondelete="cascade",
        index="btree_not_null",
        check_company=True,
        readonly=True,
        domain="[('move_type', '=', 'out_invoice')]",
    )
    company_id = fields.Many2one(
        "res.company",
        compute="_compute_company_id",
        store=True,
        index=True,
        precompute=True,
        readonly=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        compute="_compute_snapshot",
        store=True,
        precompute=True,
        index=True,
        readonly=True,
        help="Commercial partner of the order at request time.",
    )
    order_partner_id = fields.Many2one(
        "res.partner", compute="_compute_snapshot", store=True, precompute=True, readonly=True
    )
    amount_total = fields.Monetary(
        "Order Total",
        compute="_compute_snapshot",
        store=True,
        precompute=True,
        readonly=True,
        help="Total of the order at request time, in its currency.",
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_snapshot", store=True, precompute=True, readonly=True
    )
    payment_term_id = fields.Many2one(
        "account.payment.term",
        "Payment Terms",
        compute="_compute_snapshot",
        store=True,
        precompute=True,
        readonly=True,
    )
    salesperson_id = fields.Many2one(
        "res.users", compute="_compute_snapshot", store=True, precompute=True, readonly=True
    )
    reason_codes = fields.Char(readonly=True, copy=False, help="Technical codes of the reasons.")
    reason_lines = fields.Text("Reasons", readonly=True, copy=False)
    request_comment = fields.Text(required=True, readonly=True)
    requester_id = fields.Many2one(
        "res.users", "Requested By", default=lambda self: self.env.user, readonly=True, copy=False
    )
    request_date = fields.Datetime(
        "Requested On", default=fields.Datetime.now, readonly=True, index=True, copy=False
    )
    state = fields.Selection(
        RELEASE_STATES,
        default="pending",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
    )
    decided_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    decided_on = fields.Datetime(readonly=True, copy=False)
    decision_comment = fields.Text(readonly=True, copy=False)
    void_reason = fields.Char("Void Because", readonly=True, copy=False)
    used_on = fields.Datetime(readonly=True, copy=False)
    can_decide = fields.Boolean(compute="_compute_can_decide")

    _sql_constraints = [
        (
            "one_document",
            "CHECK((order_id IS NULL) != (move_id IS NULL))",
            "A credit release is for one sales order or one customer invoice.",
        ),
    ]

    @api.depends("order_id.name", "move_id.name", "partner_id")
    def _compute_name(self):
        for release in self:
            release.name = self.env._(
                "Release for %(order)s", order=release.sudo()._credit_document_name()
            )

    @api.depends("order_id", "move_id")
    def _compute_company_id(self):
        for release in self:
            release.company_id = release.order_id.company_id or release.move_id.company_id

    @api.depends("order_id", "move_id")
    def _compute_snapshot(self):
        # Taken once, at request time: later changes of the document void the release.
        for release in self:
            order, move = release.order_id, release.move_id
            if move:
                values = {
                    "partner_id": move.partner_id.commercial_partner_id,
                    "order_partner_id": move.partner_id,
                    "amount_total": move.amount_total,
                    "currency_id": move.currency_id,
                    "payment_term_id": move.invoice_payment_term_id,
                    "salesperson_id": move.invoice_user_id,
                }
            else:
                values = {
                    "partner_id": order.partner_id.commercial_partner_id,
                    "order_partner_id": order.partner_id,
                    "amount_total": order.amount_total,
                    "currency_id": order.currency_id,
                    "payment_term_id": order.payment_term_id,
                    "salesperson_id": order.user_id,
                }
            release.update(values)

    def _credit_document(self):
        """The order or the invoice the release is for."""
        self.ensure_one()
        return self.move_id or self.order_id

    def _credit_still_matches(self):
        """The document is still what the release was granted for (total, currency,
        customer, payment terms); any other change voids the release by fingerprint."""
        self.ensure_one()
        release = self.sudo()
        document = release._credit_document()
        terms = document.invoice_payment_term_id if release.move_id else document.payment_term_id
        return (
            release.currency_id == document.currency_id
            and release.order_partner_id == document.partner_id
            and release.payment_term_id == terms
            and float_compare(
                release.amount_total,
                document.amount_total,
                precision_rounding=document.currency_id.rounding,
            )
            == 0
        )

    def _credit_first_usable(self, verdict):
        """The first approved release of ``self`` that still matches its document and
        covers the reasons of ``verdict`` (empty when none)."""
        for release in self.filtered(lambda r: r.state == "approved"):
            if release._credit_still_matches() and reasons_covered(
                release._reason_code_list(), verdict.reasons
            ):
                return release
        return self.browse()

    def _credit_document_name(self):
        """Name of the order or invoice, also for a decider who may not read it."""
        self.ensure_one()
        release = self.sudo()
        if release.move_id:
            return release.move_id.display_name or ""
        return release.order_id.name or ""

    @api.depends("state", "requester_id")
    @api.depends_context("uid")
    def _compute_can_decide(self):
        user = self.env.user
        for release in self:
            release.can_decide = (
                release.state == "pending"
                and release.requester_id != user
                and self._credit_may_decide(user, release.company_id or self.env.company)
            )

    @api.constrains("request_comment")
    def _check_request_comment(self):
        for release in self:
            if not (release.request_comment or "").strip():
                raise ValidationError(
                    self.env._(
                        "Explain why %(order)s should be confirmed despite the credit check: "
                        "the credit manager decides on your comment.",
                        order=release._credit_document_name(),
                    )
                )

    def _reason_code_list(self):
        self.ensure_one()
        return [code for code in (self.reason_codes or "").split(",") if code]

    # ------------------------------------------------------------------ create

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if bool(vals.get("order_id")) == bool(vals.get("move_id")):
                raise ValidationError(
                    self.env._("A credit release is for one sales order or one customer invoice.")
                )
            if not (vals.get("request_comment") or "").strip():
                if vals.get("move_id"):
                    name = self.env["account.move"].browse(vals["move_id"]).display_name
                else:
                    name = self.env["sale.order"].browse(vals.get("order_id")).name
                raise ValidationError(
                    self.env._(
                        "Explain why %(order)s should be confirmed despite the credit check: "
                        "the credit manager decides on your comment.",
                        order=name or "",
                    )
                )
        releases = super().create(vals_list)
        for release in releases:
            if release.move_id:
                release._check_invoice_requestable()
            else:
                release._check_order_requestable()
            release._credit_set_reasons()
            release._log(
                self.env._(
                    "Credit release requested by %(user)s: %(comment)s",
                    user=release.requester_id.name,
                    comment=release.request_comment,
                ),
                with_reasons=True,
            )
            release._schedule_approval()
            release._credit_record_decision(
                "release_requested",
                release.partner_id,
                release.company_id,
                new=release.currency_id.format(release.amount_total),
                comment=release.request_comment,
                source=release,
            )
        return releases

    def copy(self, default=None):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "A credit release cannot be duplicated: ask for a new one from the quotation."
            )
        )

    def _credit_set_reasons(self):
        """The reasons the release covers: the credit check of the document right now,
        never what the caller says."""
        self.ensure_one()
        if self.move_id:
            move = self.move_id.sudo()
            verdict = move._credit_evaluate_posting().get(move)
            if not verdict or not verdict.reasons:
                raise UserError(
                    self.env._(
                        "%(invoice)s passes the credit check now: post it, no release is needed.",
                        invoice=move.display_name,
                    )
                )
            self._credit_workflow_write(
                {
                    "reason_codes": ",".join(reason.code for reason in verdict.reasons),
                    "reason_lines": "\n".join(move._credit_reason_lines(verdict)),
                }
            )
            return
        order = self.order_id.sudo()
        verdict = order._credit_evaluate(raise_missing_rate=False)[order]
        if not verdict.reasons:
            raise UserError(
                self.env._(
                    "%(order)s passes the credit check now: confirm it, no release is needed.",
                    order=order.name,
                )
            )
        self._credit_workflow_write(
            {
                "reason_codes": ",".join(reason.code for reason in verdict.reasons),
                "reason_lines": "\n".join(order._credit_reason_lines(verdict)),
            }
        )

    def _check_order_requestable(self):
        self.ensure_one()
        order = self.order_id
        if order.state not in ("draft", "sent"):
            raise UserError(
                self.env._(
                    "%(order)s is not a quotation any more: a credit release can only be "
                    "asked for a quotation.",
                    order=order.name,
                )
            )
        self._check_no_other_pending(order, order.name)

    def _check_invoice_requestable(self):
        self.ensure_one()
        move = self.move_id
        if move.move_type != "out_invoice" or move.state != "draft":
            raise UserError(
                self.env._(
                    "%(invoice)s is not a draft customer invoice: a credit release can only "
                    "be asked for a customer invoice before it is posted.",
                    invoice=move.display_name,
                )
            )
        self._check_no_other_pending(move, move.display_name)

    def _check_no_other_pending(self, document, name):
        """One request at a time per document."""
        pending = document.sudo().credit_release_ids.filtered(
            lambda r: r.state == "pending" and r != self
        )
        if pending:
            raise UserError(
                self.env._(
                    "A credit release for %(order)s, asked by %(user)s, is already waiting "
                    "for a decision. Wait for it or ask the credit manager.",
                    order=name,
                    user=pending[0].requester_id.name,
                )
            )

    def _schedule_approval(self):
        self.ensure_one()
        note = Markup("%s<br/>%s") % (
            self.request_comment,
            Markup("<br/>").join((self.reason_lines or "").splitlines()),
        )
        partner = self.partner_id
        deciders = self._credit_deciders(partner, self.company_id, exclude=self.requester_id)[
            partner.id
        ]
        if not deciders:
            self.sudo().message_post(
                body=self.env._(
                    "Nobody can decide on %(release)s yet: it needs a credit manager other "
                    "than %(user)s. It waits until there is one or the company names a "
                    "deputy approver (Settings > Customer Credit).",
                    release=self.name,
                    user=self.requester_id.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        for user in deciders:
            self.sudo().activity_schedule(
                "customer_credit.mail_act_credit_release_approval",
                user_id=user.id,
                summary=self.env._(
                    "Approve credit release for %(order)s", order=self._credit_document_name()
                ),
                note=note,
            )

    def _log(self, text, with_reasons=False):
        """Post on the release, its order and the customer."""
        body = Markup("<p>%s</p>") % text
        if with_reasons and self.reason_lines:
            body += Markup("<ul>%s</ul>") % Markup("").join(
                Markup("<li>%s</li>") % line for line in self.reason_lines.splitlines()
            )
        document = self.sudo()._credit_document()
        link = Markup('<a href="#" data-oe-model="%s" data-oe-id="%s">%s</a>') % (
            document._name,
            document.id,
            self.sudo()._credit_document_name(),
        )
        self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        document.message_post(body=body, subtype_xmlid="mail.mt_note")
        self.partner_id.sudo().message_post(
            body=Markup("%s: %s") % (link, body), subtype_xmlid="mail.mt_note"
        )

    # ------------------------------------------------------------------ decisions

    def _check_can_decide(self):
        self._credit_check_decider(
            lambda release: release.requester_id,
            self.env._("approve or refuse a credit release"),
        )
        for release in self:
            if release.state != "pending":
                state = dict(self._fields["state"]._description_selection(self.env))[release.state]
                raise UserError(
                    self.env._(
                        "%(release)s is %(state)s: only a pending release can be approved "
                        "or refused. Ask the salesperson for a new request if needed.",
                        release=release.name,
                        state=state.lower(),
                    )
                )

    def _decide(self, approve, comment):
        comment = (comment or "").strip()
        if not comment:
            raise UserError(self.env._("Give a comment with your decision."))
        self._check_can_decide()
        for release in self:
            # the deputy may not read the document: the check is the system's (sudo)
            if approve and not release._credit_still_matches():
                raise UserError(
                    self.env._(
                        "%(order)s changed after the request: its total, currency, customer "
                        "or payment terms differ. Refuse this request; the salesperson must "
                        "ask again for the order as it is now.",
                        order=release.sudo()._credit_document_name(),
                    )
                )
        self._credit_workflow_write(
            {
                "state": "approved" if approve else "refused",
                "decided_by_id": self.env.uid,
                "decided_on": fields.Datetime.now(),
                "decision_comment": comment,
            }
        )
        for release in self:
            release._close_activities(comment)
            if approve and release.move_id:
                text = self.env._(
                    "Credit release approved by %(user)s: %(comment)s. The invoice can be "
                    "posted once.",
                    user=self.env.user.name,
                    comment=comment,
                )
            elif approve:
                text = self.env._(
                    "Credit release approved by %(user)s: %(comment)s. The order can be "
                    "confirmed once.",
                    user=self.env.user.name,
                    comment=comment,
                )
            else:
                text = self.env._(
                    "Credit release refused by %(user)s: %(comment)s",
                    user=self.env.user.name,
                    comment=comment,
                )
            release._log(text)
            release._notify_requester(text)
            release._credit_record_decision(
                "release_approved" if approve else "release_refused",
                release.partner_id,
                release.company_id,
                old="pending",
                new="approved" if approve else "refused",
                comment=comment,
                source=release,
            )
        return True

    def action_approve(self, comment):
        """Approve pending releases with a comment (also callable by RPC)."""
        return self._decide(True, comment)

    def action_refuse(self, comment):
        """Refuse pending releases with a comment (also callable by RPC)."""
        return self._decide(False, comment)

    def action_open_decision(self):
        self.ensure_one()
        self._check_can_decide()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Release Decision"),
            "res_model": "customer.credit.release.decision",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_release_id": self.id,
                "default_decision": self.env.context.get("credit_decision", "approve"),
            },
        }

    def _close_activities(self, feedback):
        activities = self.sudo().activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("customer_credit.mail_act_credit_release_approval")
            )
        )
        mine = activities.filtered(lambda a: a.user_id == self.env.user)
        if mine:
            mine.action_feedback(feedback=feedback)
        (activities - mine).unlink()

    def _notify_requester(self, text):
        requester = self.requester_id
        if requester and not requester.share and requester != self.env.user:
            self.sudo().message_notify(
                partner_ids=requester.partner_id.ids,
                body=text,
                subject=self.name,
            )

    def _void(self, reason):
        for release in self.filtered(lambda r: r.state in ("pending", "approved")):
            old_state = release.state
            release._credit_workflow_write({"state": "void", "void_reason": reason})
            release._close_activities(reason)
            release._log(self.env._("Credit release void: %(reason)s", reason=reason))
            release._credit_record_decision(
                "release_void",
                release.partner_id,
                release.company_id,
                old=old_state,
                new="void",
                comment=reason,
                source=release,
            )

    def _mark_used(self, document):
        """The order confirmed, or the invoice posted, with this release."""
        self.ensure_one()
        self._credit_workflow_write({"state": "used", "used_on": fields.Datetime.now()})
        if document._name == "account.move":
            text = self.env._(
                "%(invoice)s posted with the credit release approved by %(user)s.",
                invoice=document.display_name,
                user=self.decided_by_id.name,
            )
        else:
            text = self.env._(
                "%(order)s confirmed with the credit release approved by %(user)s.",
                order=document.name,
                user=self.decided_by_id.name,
            )
        self._log(text)
        self._credit_record_decision(
            "release_used",
            self.partner_id,
            self.company_id,
            old="approved",
            new="used",
            comment=document.display_name if document._name == "account.move" else document.name,
            source=self,
        )
