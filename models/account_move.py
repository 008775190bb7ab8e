from collections import defaultdict

from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools import format_amount

from ..tools.credit_check import REASON_OVER_LIMIT
from ..tools.credit_check import CreditVerdict
from .sale_order import CREDIT_CHECK_STATES

# Key in the cursor's cache (unreachable by RPC) of the invoices whose posting passed the
# credit check in this transaction (``_post`` checks, its ``write`` of the state does not
# check again).
POSTING_CHECKED_KEY = "customer_credit.posting_checked"
# Changing any of these on an invoice with a live release may void the release.
RELEASE_WATCHED_FIELDS = (
    "invoice_line_ids",
    "line_ids",
    "partner_id",
    "currency_id",
    "invoice_payment_term_id",
    "fiscal_position_id",
)
# Invoice line fields that change what a release was granted for.
RELEASE_WATCHED_LINE_FIELDS = (
    "product_id",
    "quantity",
    "product_uom_id",
    "price_unit",
    "discount",
    "tax_ids",
    "display_type",
    "move_id",
)


# Set only by the dispute and expected-payment actions (which check who acts), never by
# create/write: a salesperson must not take an invoice out of the escalation by RPC.
CREDIT_FOLLOW_UP_FIELDS = (
    "credit_dispute",
    "credit_dispute_reason",
    "credit_dispute_date",
    "credit_dispute_user_id",
    "credit_expected_payment_date",
)
# Who may put an invoice in dispute or set its expected payment date.
CREDIT_FOLLOW_UP_GROUPS = ("customer_credit.group_credit_manager", "account.group_account_invoice")


class AccountMove(models.Model):
    _inherit = "account.move"

    credit_dispute = fields.Boolean(
        "In Dispute",
        copy=False,
        readonly=True,
        tracking=True,
        help="The customer disputes this invoice: it leaves the overdue escalation and the "
        "automatic credit hold until the dispute is lifted; it still counts in the exposure "
        "and the aging.",
    )
    credit_dispute_reason = fields.Text("Dispute Reason", copy=False, readonly=True)
    credit_dispute_date = fields.Date("In Dispute Since", copy=False, readonly=True)
    credit_dispute_user_id = fields.Many2one("res.users", "Disputed By", copy=False, readonly=True)
    credit_expected_payment_date = fields.Date(
        "Expected Payment Date",
        copy=False,
        readonly=True,
        tracking=True,
        index="btree_not_null",
        help="Date the customer is expected to pay (set by hand or by a promise to pay): "
        "the overdue escalation takes no further step for this invoice until that day has "
        "passed, as for a promise to pay.",
    )

    def init(self):  # pylint: disable=missing-return
        super().init()
        # The escalation's "not in dispute" test (tools/receivables.undisputed_sql) reads
        # the few disputed invoices only.
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS account_move_credit_dispute_idx "
                "ON account_move (id) WHERE credit_dispute IS TRUE"
            )
        )

    credit_release_ids = fields.One2many(
        "customer.credit.release", "move_id", "Credit Releases", copy=False
    )
    credit_release_count = fields.Integer(compute="_compute_credit_release_count")
    credit_release_pending = fields.Boolean(compute="_compute_credit_release_count")
    credit_check_state = fields.Selection(
        CREDIT_CHECK_STATES,
        "Credit Check",
        compute="_compute_credit_check_state",
        help="Result of the customer credit check this draft invoice gets at posting, "
        "computed live.",
    )

    # ------------------------------------------------------------------ computes

    @api.depends("credit_release_ids.state")
    def _compute_credit_release_count(self):
        for move in self:
            releases = move.sudo().credit_release_ids
            move.credit_release_count = len(releases)
            move.credit_release_pending = any(r.state == "pending" for r in releases)

    @api.depends(
        "state",
        "move_type",
        "partner_id",
        "company_id",
        "amount_total_signed",
        "credit_release_ids.state",
    )
    def _compute_credit_check_state(self):
        checked = self._credit_posting_applies()
        (self - checked).credit_check_state = "none"
        if not checked:
            return
        verdicts = checked._credit_evaluate_posting()
        for move in checked:
            move.credit_check_state = verdicts[move].outcome

    # ------------------------------------------------------------------ evaluation

    def _credit_posting_applies(self):
        """The stored draft customer invoices the posting check applies to: their
        company checks invoices and has credit control on. Credit notes never."""
        return self.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "draft"
                and m.partner_id
                and isinstance(m.id, int)
                and m.company_id.credit_control_enabled
                and m.company_id.credit_check_invoices
            )
        )

    def _credit_new_exposure(self):
        """{invoice: new credit it gives the customer, in company currency}.

        Its total (``amount_total_signed``) minus what it takes from confirmed orders of
        its company: per order line, the uninvoiced amount (as the exposure counts it)
        before this invoice minus after it; down payments of a confirmed order count as
        coming from the order, up to its total. Negative: the invoice reduces exposure.
        """
        result = {}
        for move in self.sudo():
            company = move.company_id
            # the invoice's own rate: its lines in company currency
            ratio = move.amount_total_signed / move.amount_total if move.amount_total else 1.0
            quantities = defaultdict(float)
            downpayments = defaultdict(float)
            for line in move.invoice_line_ids.filtered(lambda aml: aml.display_type == "product"):
                for order_line in line.sale_line_ids:
                    order = order_line.order_id
                    if order.state != "sale" or order.company_id != company:
                        continue
                    if order_line.is_downpayment:
                        downpayments[order] += line.price_total * ratio
                        continue
                    quantities[order_line] += line.product_uom_id._compute_quantity(
                        line.quantity, order_line.product_uom
                    )
            covered = 0.0
            for order_line, quantity in quantities.items():
                ordered = order_line.product_uom_qty
                if ordered <= 0 or order_line.display_type:
                    continue
                before = max(ordered - (order_line.qty_invoiced - quantity), 0.0)
                after = max(ordered - order_line.qty_invoiced, 0.0)
                rate = order_line.order_id.currency_rate or 1.0
                covered += order_line.price_total * (before - after) / ordered / rate
            for order, amount in downpayments.items():
                covered += min(amount, order.amount_total / (order.currency_rate or 1.0))
            result[move.with_env(self.env)] = move.amount_total_signed - covered
        return result

    def _credit_evaluate_posting(self):
        """Credit verdict of each invoice of ``self`` the check applies to:
        {invoice: CreditVerdict}, one exposure query per company.

        The draft invoices are in the exposure already (as drafts, and their order
        lines as invoiced): the check is of each invoice's new credit against the
        exposure without the new credit of the invoices of the call.
        """
        verdicts = {}
        moves = self._credit_posting_applies()
        news = moves._credit_new_exposure()
        by_company = defaultdict(list)
        for move in moves:
            by_company[move.company_id].append(move)
        for company, group in by_company.items():
            currency = company.currency_id
            checked = [m for m in group if currency.compare_amounts(news[m], 0.0) > 0]
            for move in group:
                if move not in checked:
                    # from confirmed orders within them, or lower: nothing new to check
                    verdicts[move] = CreditVerdict("none", "none", [], None, None, currency)
            if not checked:
                continue
            # the drafts being posted are in the exposure already: "included"
            verdicts.update(
                self.env["res.partner"]._credit_verdicts(
                    company,
                    [(m, m.commercial_partner_id.id, news[m]) for m in checked],
                    included=True,
                )
            )
        return verdicts

    # ------------------------------------------------------------------ wording

    def _credit_reason_text(self, reason, currency, tolerance=0):
        """One reason in plain words (the customer's reasons read as for a quotation)."""
        if reason.code == REASON_OVER_LIMIT:
            return self.env._(
                "This invoice would exceed the credit limit by %(amount)s.",
                amount=format_amount(self.env, reason.amount, currency),
            )
        return self.env["sale.order"]._credit_reason_text(reason, currency, tolerance)

    def _credit_reason_lines(self, verdict):
        tolerance = verdict.data.tolerance_days if verdict.data else 0
        return [
            self._credit_reason_text(reason, verdict.currency, tolerance)
            for reason in verdict.reasons
        ]

    def _credit_block_message(self, blocked, verdicts):
        parts = [self.env._("The credit check stops these customer invoices:")]
        for move in blocked:
            verdict = verdicts[move]
            parts.append(
                self.env._(
                    "%(invoice)s for %(customer)s gives %(amount)s of new credit:",
                    invoice=move.display_name,
                    customer=move.commercial_partner_id.display_name,
                    amount=format_amount(self.env, verdict.data.order_amount, verdict.currency),
                )
            )
            parts.extend(f"  - {line}" for line in move._credit_reason_lines(verdict))
        parts.append(
            self.env._(
                "Nothing was posted. Open each invoice and click 'Request Credit Release' to "
                "ask a credit manager for a release; the invoice can be posted once it is "
                "approved."
            )
        )
        return "\n".join(parts)

    # ------------------------------------------------------------------ releases

    def _credit_usable_release(self, verdict):
        """The approved release that lets this invoice go through now, if any."""
        self.ensure_one()
        return self.sudo().credit_release_ids._credit_first_usable(verdict)

    def _credit_void_stale_releases(self):
        """Void pending and approved releases that no longer describe their invoice."""
        for move in self:
            for release in move.sudo().credit_release_ids.filtered(
                lambda r: r.state in ("pending", "approved")
            ):
                if not release._credit_still_matches():
                    release._void(
                        self.env._(
                            "The invoice's total, currency, customer or payment terms changed "
                            "after the request."
                        )
                    )

    def _credit_fingerprint(self):
        """What a release was granted for: any difference voids it."""
        self.ensure_one()
        lines = tuple(
            sorted(
                (
                    line.id,
                    line.product_id.id,
                    line.display_type or "",
                    line.quantity,
                    line.product_uom_id.id,
                    line.price_unit,
                    line.discount,
                    tuple(sorted(line.tax_ids.ids)),
                )
                for line in self.invoice_line_ids
            )
        )
        return (
            self.partner_id.id,
            self.currency_id.id,
            self.invoice_payment_term_id.id,
            self.fiscal_position_id.id,
            self.amount_total,
            lines,
        )

    def _credit_release_snapshot(self):
        """Fingerprints of the draft invoices of ``self`` with a live release."""
        moves = self.sudo().filtered(lambda m: m.move_type == "out_invoice" and m.state == "draft")
        live = moves.credit_release_ids.filtered(lambda r: r.state in ("pending", "approved"))
        return {move.id: move._credit_fingerprint() for move in live.move_id}

    def _credit_release_after_change(self, snapshot):
        """Void the releases of the invoices that changed since ``snapshot``."""
        for move in self.sudo().browse(list(snapshot)).exists():
            if move._credit_fingerprint() != snapshot[move.id]:
                move.credit_release_ids._void(
                    self.env._(
                        "The invoice changed after the request (lines, amount, customer, "
                        "currency or terms)."
                    )
                )

    def _credit_release_wizard_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Check: %(invoice)s Blocked", invoice=self.display_name),
            "res_model": "customer.credit.release.request",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_id": self.id, "default_blocked": True},
        }

    def action_request_credit_release(self):
        """Open the release request form for this draft invoice."""
        self.ensure_one()
        return self._credit_release_wizard_action()

    def action_view_credit_releases(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Releases"),
            "res_model": "customer.credit.release",
            "view_mode": "list,form",
            "domain": [("move_id", "=", self.id)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------ posting

    def _credit_posting_unchecked(self):
        """System code in superuser mode may post without the check by saying so; an RPC
        caller is never in superuser mode, whatever the context it sends."""
        return self.env.su and bool(self.env.context.get("credit_invoice_check_skip"))

    def _credit_posting_checked_ids(self):
        """Ids of the invoices whose posting passed the check in this transaction.

        Held in the cursor's cache: no RPC argument or context reaches it."""
        return self.env.cr.cache.setdefault(POSTING_CHECKED_KEY, set())

    def _credit_check_posting(self):
        """Lock, evaluate and split the invoices: (verdicts, blocked, releases to use)."""
        checked = self._credit_posting_applies()
        if not checked:
            return {}, self.browse(), {}
        self.env["customer.credit.confirm.lock"]._credit_lock_pairs(
            (m.company_id.id, m.commercial_partner_id.id) for m in checked
        )
        verdicts = checked._credit_evaluate_posting()
        blocked = self.browse()
        releases = {}
        for move in checked:
            verdict = verdicts[move]
            if verdict.outcome != "blocked":
                continue
            move._credit_void_stale_releases()
            release = move._credit_usable_release(verdict)
            if release:
                releases[move] = release
            else:
                blocked |= move
        return verdicts, blocked, releases

    def _credit_after_posting(self, verdicts, releases, posted):
        for move, release in releases.items():
            if move in posted:
                release._mark_used(move)
        for move, verdict in verdicts.items():
            if move in posted and verdict.outcome == "warning":
                move._credit_log_warning(verdict)

    def _credit_log_warning(self, verdict):
        lines = self._credit_reason_lines(verdict)
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._("Posted despite a credit warning:"),
            Markup("").join(Markup("<li>%s</li>") % line for line in lines),
        )
        self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        data = verdict.data
        self.env["customer.credit.workflow.mixin"]._credit_record_decision(
            "warn_posted",
            self.commercial_partner_id,
            self.company_id,
            old=verdict.currency.format(data.exposure),
            new=verdict.currency.format(data.exposure + data.order_amount),
            comment="\n".join(lines),
            source=self,
        )

    def action_post(self):
        # From the form's button (context ``credit_interactive``, a display choice only):
        # a blocked invoice opens the release request instead of the error.
        if self.env.context.get("credit_interactive") and len(self) == 1:
            move = self._credit_posting_applies()
            if move:
                verdict = move._credit_evaluate_posting()[move]
                if verdict.outcome == "blocked" and not move._credit_usable_release(verdict):
                    return move._credit_release_wizard_action()
        return super().action_post()

    def _post(self, soft=True):
        """Post after the credit check: every posting path (button, ``action_post`` by
        RPC, the auto-post cron, other modules) ends here; a plain ``write`` of the
        state runs the same check (see ``write``)."""
        if self._credit_posting_unchecked():
            return super()._post(soft=soft)
        today = fields.Date.context_today(self)
        # what ``_post(soft=True)`` leaves for the auto-post cron is checked then
        to_check = self.filtered(lambda m: not soft or not m.invoice_date or m.date <= today)
        verdicts, blocked, releases = to_check._credit_check_posting()
        if blocked:
            raise UserError(self._credit_block_message(blocked, verdicts))
        checked = self._credit_posting_checked_ids()
        added = {move.id for move in verdicts} - checked
        checked |= added
        try:
            posted = super()._post(soft=soft)
        finally:
            checked -= added
        self._credit_after_posting(verdicts, releases, posted)
        return posted

    # ------------------------------------------------------------------ create / write

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._credit_refuse_follow_up_fields(
                {
                    key[len("default_") :]: True
                    for key in self.env.context
                    if key.startswith("default_")
                }
            )
            for vals in vals_list:
                self._credit_refuse_follow_up_fields(vals)
                state = vals.get("state", self.env.context.get("default_state"))
                move_type = vals.get("move_type", self.env.context.get("default_move_type"))
                if state == "posted" and move_type == "out_invoice":
                    company = self.env["res.company"].browse(
                        vals.get("company_id") or self.env.company.id
                    )
                    if company.credit_control_enabled and company.credit_check_invoices:
                        raise UserError(
                            self.env._(
                                "A customer invoice cannot be created already posted: create "
                                "the draft, then click Confirm (the credit check runs there)."
                            )
                        )
        return super().create(vals_list)

    def write(self, vals):
        self._credit_refuse_follow_up_fields(vals)
        after_posting = None
        if vals.get("state") == "posted" and not self._credit_posting_unchecked():
            after_posting = self._credit_check_state_write()
        snapshot = None
        if any(name in vals for name in RELEASE_WATCHED_FIELDS):
            snapshot = self._credit_release_snapshot()
        result = super().write(vals)
        if after_posting:
            verdicts, releases = after_posting
            self._credit_after_posting(verdicts, releases, self)
        if snapshot:
            self._credit_release_after_change(snapshot)
        return result

    def _credit_check_state_write(self):
        """A write that posts invoices outside ``_post`` gets the same check."""
        checked_ids = self._credit_posting_checked_ids()
        unchecked = self.filtered(lambda m: m.id not in checked_ids)
        if not unchecked:
            return None
        verdicts, blocked, releases = unchecked._credit_check_posting()
        if blocked:
            raise UserError(unchecked._credit_block_message(blocked, verdicts))
        return verdicts, releases

    # ------------------------------------------------------------------ dispute, expected payment

    def _credit_refuse_follow_up_fields(self, vals):
        """The dispute and expected-payment fields change through their actions only
        (superuser mode, which RPC cannot reach, after the actions checked who acts)."""
        names = set(CREDIT_FOLLOW_UP_FIELDS) & set(vals)
        if names and not self.env.su:
            labels = ", ".join(sorted(self._fields[n]._description_string(self.env) for n in names))
            raise AccessError(
                self.env._(
                    "%(fields)s of an invoice cannot be set directly: use 'Put in Dispute', "
                    "'Lift Dispute' or 'Set Expected Payment Date' (credit managers and "
                    "accountants).",
                    fields=labels,
                )
            )

    def _credit_may_follow_up(self):
        """The current user may dispute invoices and set their expected payment date."""
        return any(self.env.user.has_group(group) for group in CREDIT_FOLLOW_UP_GROUPS)

    def _credit_check_follow_up_user(self, action_label):
        """Raise unless the current user is a credit manager or an accountant."""
        if not self._credit_may_follow_up():
            raise AccessError(
                self.env._(
                    "Only credit managers and accountants can %(action)s. Ask one of them.",
                    action=action_label,
                )
            )

    def _credit_check_customer_invoices(self):
        wrong = self.filtered(
            lambda m: m.move_type not in ("out_invoice", "out_receipt") or m.state != "posted"
        )
        if wrong:
            raise UserError(
                self.env._(
                    "%(moves)s: only posted customer invoices can be disputed or get an "
                    "expected payment date.",
                    moves=", ".join(wrong.mapped("display_name")),
                )
            )

    def _credit_dispute_open(self, reason):
        """Put the invoices in dispute: out of the escalation and the automatic hold,
        recorded in the decision ledger. The hold the escalation set is released at once
        when no other invoice justifies it."""
        self._credit_check_follow_up_user(self.env._("put an invoice in dispute"))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Enter the reason of the dispute, as the customer gave it."))
        self._credit_check_customer_invoices()
        moves = self.filtered(lambda m: not m.credit_dispute)
        today = fields.Date.context_today(self)
        moves.sudo().write(
            {
                "credit_dispute": True,
                "credit_dispute_reason": reason,
                "credit_dispute_date": today,
                "credit_dispute_user_id": self.env.user.id,
            }
        )
        for move in moves:
            self.env["customer.credit.workflow.mixin"]._credit_record_decision(
                "invoice_dispute_opened",
                move.commercial_partner_id,
                move.company_id,
                old=self.env._("Escalated"),
                new=self.env._("In dispute"),
                comment=reason,
                source=move,
            )
        for company, company_moves in moves.grouped("company_id").items():
            self.env["customer.credit.monitor"].sudo().with_company(company)._escalation_release(
                today, partners=company_moves.commercial_partner_id
            )
        return moves

    def action_credit_dispute_lift(self):
        """Lift the dispute: the invoice is back in the escalation where its days overdue
        put it (the warning and hold of the levels it reached apply again; the next run
        applies the levels reached during the dispute)."""
        self._credit_check_follow_up_user(self.env._("lift a dispute"))
        moves = self.filtered("credit_dispute")
        if not moves:
            raise UserError(self.env._("These invoices are not in dispute."))
        reasons = {move: move.credit_dispute_reason for move in moves}
        moves.sudo().write(
            {
                "credit_dispute": False,
                "credit_dispute_reason": False,
                "credit_dispute_date": False,
                "credit_dispute_user_id": False,
            }
        )
        today = fields.Date.context_today(self)
        for move in moves:
            self.env["customer.credit.workflow.mixin"]._credit_record_decision(
                "invoice_dispute_lifted",
                move.commercial_partner_id,
                move.company_id,
                old=self.env._("In dispute"),
                new=self.env._("Escalated"),
                comment=reasons[move],
                source=move,
            )
        for company, company_moves in moves.grouped("company_id").items():
            self.env["customer.credit.monitor"].sudo().with_company(company)._escalation_reinstate(
                company_moves, today
            )
        return True

    def _credit_set_expected_payment(self, date, note=None, source=None):
        """Set the expected payment date (False clears it), recorded in the ledger."""
        self._credit_check_customer_invoices()
        for move in self.filtered(lambda m: m.credit_expected_payment_date != (date or False)):
            old = move.credit_expected_payment_date
            move.sudo().credit_expected_payment_date = date or False
            self.env["customer.credit.workflow.mixin"]._credit_record_decision(
                "invoice_expected_payment",
                move.commercial_partner_id,
                move.company_id,
                old=old,
                new=date,
                comment=note,
                source=source or move,
            )

    def action_credit_open_dispute_wizard(self):
        """Ask the reason, then put the invoices in dispute."""
        return self._credit_follow_up_wizard("dispute", self.env._("Put in Dispute"))

    def action_credit_open_expected_payment_wizard(self):
        """Ask the date the customer is expected to pay."""
        return self._credit_follow_up_wizard("expected", self.env._("Set Expected Payment Date"))

    def _credit_follow_up_wizard(self, mode, title):
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": "customer.credit.invoice.follow.up",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_move_ids": self.ids,
                "default_mode": mode,
                "default_expected_payment_date": self[:1].credit_expected_payment_date,
            },
        }
