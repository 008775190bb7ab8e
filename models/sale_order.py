from collections import defaultdict

from markupsafe import Markup
from markupsafe import escape

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools import format_amount

from ..tools.credit_check import REASON_GRADE
from ..tools.credit_check import REASON_GROUP_HOLD
from ..tools.credit_check import REASON_GROUP_OVER_LIMIT
from ..tools.credit_check import REASON_HOLD
from ..tools.credit_check import REASON_NO_LIMIT
from ..tools.credit_check import REASON_OVER_LIMIT
from ..tools.credit_check import REASON_OVERDUE
from ..tools.credit_check import CreditVerdict  # noqa: F401 (imported from here too)
from ..tools.credit_check import quotation_outcomes_sql
from ..tools.credit_exposure import EXPOSURE_COMPONENTS
from ..tools.sql_settings import parallel_statement
from ..tools.sql_settings import whole_ledger_statement

CREDIT_CHECK_STATES = [
    ("none", "Not Checked"),
    ("ok", "Within Credit"),
    ("warning", "Credit Warning"),
    ("blocked", "Credit Blocked"),
]

# Changing any of these after a release was granted voids it.
RELEASE_WATCHED_FIELDS = (
    "order_line",
    "partner_id",
    "currency_id",
    "payment_term_id",
    "pricelist_id",
    "fiscal_position_id",
)
# Order fields (besides its lines) that can raise the amount of a confirmed order.
AMOUNT_WATCHED_FIELDS = ("partner_id", "currency_id", "pricelist_id", "fiscal_position_id")
# Key in the cursor's cache (unreachable by RPC) of the orders whose confirmation passed
# the credit check in this transaction.
CONFIRM_CHECKED_KEY = "customer_credit.confirm_checked"


class SaleOrder(models.Model):
    _inherit = "sale.order"

    credit_check_state = fields.Selection(
        CREDIT_CHECK_STATES,
        "Credit Check",
        compute="_compute_credit_check",
        search="_search_credit_check_state",
        help="Result of the customer credit check for this quotation, computed live.",
    )
    credit_banner = fields.Html("Credit Situation", compute="_compute_credit_check", sanitize=False)
    credit_release_ids = fields.One2many(
        "customer.credit.release", "order_id", "Credit Releases", copy=False
    )
    credit_release_count = fields.Integer(compute="_compute_credit_release_count")
    credit_release_pending = fields.Boolean(compute="_compute_credit_release_count")

    # ------------------------------------------------------------------ computes

    @api.depends("credit_release_ids.state")
    def _compute_credit_release_count(self):
        for order in self:
            releases = order.sudo().credit_release_ids
            order.credit_release_count = len(releases)
            order.credit_release_pending = any(r.state == "pending" for r in releases)

    @api.depends(
        "state",
        "partner_id",
        "company_id",
        "currency_id",
        "amount_total",
        "order_line.price_total",
        "credit_release_ids.state",
    )
    @api.depends_context("lang")
    def _compute_credit_check(self):
        quotations = self.filtered(lambda o: o.state in ("draft", "sent") and o.partner_id)
        (self - quotations).update({"credit_check_state": "none", "credit_banner": False})
        if not quotations:
            return
        verdicts = quotations._credit_evaluate(raise_missing_rate=False)
        for order in quotations:
            verdict = verdicts[order]
            order.credit_check_state = verdict.outcome
            order.credit_banner = order._credit_banner_html(verdict)

    def _search_credit_check_state(self, operator, value):
        # Computed live from the ledger: a stored value would be stale as soon as an
        # invoice is posted or paid. The open quotations are checked in SQL, one query
        # per company (tools/credit_check.quotation_outcomes_sql, the SQL rendering of
        # the check), run here, in parallel; those whose amount needs more than their
        # total (paid online, a currency without a rate) go through the check itself.
        # As a subquery of the search the outcomes were computed by one process and
        # then hashed against the orders (10M bench: 1.5 s against ~1.0 s).
        if operator not in ("=", "!=", "in", "not in"):
            raise ValidationError(self.env._("Unsupported search on 'Credit Check'."))
        values = {value} if isinstance(value, str) else set(value or ())
        ids = [oid for oid, outcome in self._credit_quotation_outcomes() if outcome in values]
        if operator in ("=", "in"):
            return [("id", "in", ids)]
        # one array rather than a list of constants: NOT IN over a subquery is hashed
        # by every PostgreSQL version, a long list of constants only from version 15
        return [("id", "not in", SQL("(SELECT unnest(%s::integer[]))", ids))]

    @api.model
    def _credit_quotation_outcomes(self):
        """[(order id, credit check outcome)] of the open quotations of the user's
        companies, as ``credit_check_state`` computes them, without loading them."""
        result = []
        for query, verdicts in self._credit_quotation_queries():
            with parallel_statement(self.env.cr):
                result += self.env.execute_query(query)
            result += verdicts
        return result

    @api.model
    def _credit_quotation_queries(self):
        """Per company of the user: (SQL giving (order id, outcome) of its open
        quotations, [(order id, outcome)] of those checked in Python), as
        ``credit_check_state`` computes them, without loading the quotations."""
        self.env["res.partner"]._credit_flush()
        self.flush_model(["state", "partner_id", "company_id", "amount_total", "currency_rate"])
        self.env["customer.credit.group.member"].flush_model()
        self.env["customer.credit.group"].flush_model()
        Partner = self.env["res.partner"].sudo()
        Partner.flush_model()
        whole_ledger_statement(self.env.cr)
        result = []
        for company in self.env.companies:
            if not company.credit_control_enabled:
                query = SQL(
                    "SELECT id, 'none' FROM sale_order WHERE company_id = %s"
                    " AND state IN ('draft', 'sent') AND partner_id IS NOT NULL",
                    company.id,
                )
                result.append((query, []))
                continue
            special = self._credit_special_quotations(company)
            query = quotation_outcomes_sql(
                company.id,
                Partner._credit_today(),
                company.credit_overdue_tolerance_days,
                company.currency_id.rounding,
                Partner.with_company(company)._credit_profile_sql("cp", company),
                company.credit_group_hold_all,
                special.ids,
            )
            verdicts = special._credit_evaluate(raise_missing_rate=False) if special else {}
            result.append((query, [(order.id, verdicts[order].outcome) for order in special]))
        return result

    @api.model
    def _credit_special_quotations(self, company):
        """Open quotations of ``company`` whose amount the check cannot take from their
        total alone: paid or authorised online, or in a currency with no rate."""
        conditions = [
            SQL(
                """so.currency_id <> %(currency)s AND NOT EXISTS (
                       SELECT 1 FROM res_currency_rate r
                        WHERE r.currency_id = so.currency_id
                          AND (r.company_id = %(company)s OR r.company_id IS NULL))""",
                currency=company.currency_id.id,
                company=company.id,
            )
        ]
        if "transaction_ids" in self._fields:
            self.env["payment.transaction"].flush_model(["state", "operation"])
            conditions.append(
                SQL(
                    """EXISTS (SELECT 1 FROM sale_order_transaction_rel rel
                                 JOIN payment_transaction tx ON tx.id = rel.transaction_id
                                WHERE rel.sale_order_id = so.id
                                  AND tx.state IN ('authorized', 'done'))"""
                )
            )
        rows = self.env.execute_query(
            SQL(
                """SELECT so.id FROM sale_order so
                    WHERE so.company_id = %s AND so.state IN ('draft', 'sent')
                      AND so.partner_id IS NOT NULL AND (%s)""",
                company.id,
                SQL(" OR ").join(conditions),
            )
        )
        return self.browse([oid for (oid,) in rows]).with_company(company)

    # ------------------------------------------------------------------ evaluation

    def _credit_amount_company(self):
        """Total of the order in company currency, at the order's rate (as the exposure)."""
        self.ensure_one()
        rate = self.currency_rate or 1.0
        return self.amount_total / rate

    def _credit_paid_online_company(self):
        """What the customer paid or authorised online for this order and the ledger does
        not hold yet, in company currency (at the order's rate, as its amount).

        A transaction of the portal is done (or authorised) before Odoo confirms the
        order and only then posts its payment: until the payment is posted the credit
        check counts the transaction against the order's amount, so an order paid online
        is not blocked for the debt it just settled. Once posted, the payment is in the
        exposure (an unapplied payment) and is not counted twice.
        """
        self.ensure_one()
        if "transaction_ids" not in self._fields:
            return 0.0
        company = self.company_id
        paid = 0.0
        for tx in self.sudo().transaction_ids:
            if tx.state not in ("authorized", "done") or tx.operation == "validation":
                continue
            if tx.payment_id.move_id.state == "posted":
                continue
            if tx.currency_id == self.currency_id:
                paid += tx.amount / (self.currency_rate or 1.0)
            else:
                paid += tx.currency_id._convert(
                    tx.amount, company.currency_id, company, fields.Date.context_today(self)
                )
        return paid

    def _credit_missing_rate_currency(self, cache=None):
        """The order currency when it has no rate in the company (Odoo would use 1.0)."""
        self.ensure_one()
        currency, company = self.currency_id, self.company_id
        if not currency or currency == company.currency_id:
            return self.env["res.currency"]
        key = (currency.id, company.id)
        if cache is not None and key in cache:
            return cache[key]
        has_rate = bool(
            self.env["res.currency.rate"]
            .sudo()
            .search_count(
                [("currency_id", "=", currency.id), ("company_id", "in", [company.id, False])],
                limit=1,
            )
        )
        result = self.env["res.currency"] if has_rate else currency
        if cache is not None:
            cache[key] = result
        return result

    def _credit_evaluate(
        self, in_call=False, raise_missing_rate=True, increases=None, memberships=None
    ):
        """Credit verdict of each order: {order: CreditVerdict}.

        One exposure query per company. With ``in_call``, the orders of the same
        company and commercial partner count against each other (they confirm
        together). ``increases`` ({order: amount in company currency}) checks confirmed
        orders that were just raised: the exposure already holds their new amount, the
        check is of the increase against the rest. ``memberships``: what the credit
        lock read of the customers' credit groups ({company id: ...}, see
        ``customer.credit.confirm.lock._credit_lock_pairs``), not read again.
        """
        verdicts = {}
        rate_cache = {}
        by_company = defaultdict(list)
        for order in self:
            by_company[order.company_id].append(order)
        for company, orders in by_company.items():
            currency = company.currency_id
            if not company.credit_control_enabled:
                for order in orders:
                    verdicts[order] = CreditVerdict("none", "none", [], None, None, currency)
                continue
            amounts = {}
            for order in orders:
                if increases is not None:
                    amounts[order] = increases.get(order, 0.0)
                    continue
                missing = order._credit_missing_rate_currency(rate_cache)
                if missing and raise_missing_rate:
                    raise UserError(order._credit_missing_rate_message(missing))
                amounts[order] = (
                    0.0
                    if missing
                    else max(
                        order._credit_amount_company() - order._credit_paid_online_company(), 0.0
                    )
                )
            verdicts.update(
                self.env["res.partner"]._credit_verdicts(
                    company,
                    [(o, o.partner_id.commercial_partner_id.id, amounts[o]) for o in orders],
                    in_call=in_call,
                    included=increases is not None,
                    memberships=(memberships or {}).get(company.id),
                )
            )
        return verdicts

    def _credit_missing_rate_message(self, currency):
        return self.env._(
            "%(order)s is in %(currency)s, but %(currency)s has no exchange rate in "
            "%(company)s, so its amount cannot be checked against the credit limit. "
            "Ask an accountant to enter a rate for %(currency)s (Accounting > "
            "Configuration > Currencies), then confirm again.",
            order=self.display_name,
            currency=currency.name,
            company=self.company_id.name,
        )

    # ------------------------------------------------------------------ wording

    def _credit_reason_text(self, reason, currency, tolerance=0):
        """One reason in plain words."""
        fmt = lambda amount: format_amount(self.env, amount, currency)  # noqa: E731
        if reason.code == REASON_OVER_LIMIT:
            return self.env._(
                "This quotation would exceed the credit limit by %(amount)s.",
                amount=fmt(reason.amount),
            )
        if reason.code == REASON_OVERDUE:
            return self.env._(
                "The customer has %(amount)s overdue for more than the %(tolerance)s-day "
                "tolerance (the oldest for %(days)s days).",
                amount=fmt(reason.amount),
                tolerance=tolerance,
                days=reason.days,
            )
        if reason.code == REASON_GROUP_OVER_LIMIT:
            return self.env._(
                "This quotation would take the credit group %(group)s over its limit by "
                "%(amount)s.",
                group=reason.detail,
                amount=fmt(reason.amount),
            )
        if reason.code == REASON_HOLD:
            return self.env._("The customer is on credit hold: %(reason)s", reason=reason.detail)
        if reason.code == REASON_GROUP_HOLD:
            return self.env._(
                "Another member of the customer's credit group is on automatic credit hold "
                "(%(member)s), which holds the whole group.",
                member=reason.detail,
            )
        if reason.code == REASON_GRADE:
            return self.env._(
                "The customer's credit grade %(grade)s does not allow new sales.",
                grade=reason.detail,
            )
        if reason.code == REASON_NO_LIMIT:
            return self.env._(
                "The customer has no credit limit, and their credit policy requires one."
            )
        return reason.code

    def _credit_reason_lines(self, verdict):
        tolerance = verdict.data.tolerance_days if verdict.data else 0
        return [
            self._credit_reason_text(reason, verdict.currency, tolerance)
            for reason in verdict.reasons
        ]

    def _credit_banner_html(self, verdict):
        self.ensure_one()
        if verdict.outcome == "none":
            return False
        currency = verdict.currency
        fmt = lambda amount: format_amount(self.env, amount, currency)  # noqa: E731
        data, values = verdict.data, verdict.values
        css = {"ok": "alert-success", "warning": "alert-warning", "blocked": "alert-danger"}
        if data.limit:
            headline = self.env._(
                "Available credit: %(available)s of a %(limit)s limit (exposure %(exposure)s).",
                available=fmt(data.limit - data.exposure),
                limit=fmt(data.limit),
                exposure=fmt(data.exposure),
            )
        else:
            headline = self.env._(
                "No credit limit set (exposure %(exposure)s).", exposure=fmt(data.exposure)
            )
        labels = {
            name: self.env["res.partner"]._fields[name]._description_string(self.env)
            for name in EXPOSURE_COMPONENTS
        }
        parts = [(labels[name], values[name]) for name in EXPOSURE_COMPONENTS]
        if values["credit_overdue"]:
            # what counts against the order, beside the overdue amount as it is
            parts.append(
                (
                    self.env._(
                        "of which overdue beyond the %(days)s-day tolerance",
                        days=data.tolerance_days,
                    ),
                    values["credit_overdue_beyond_tolerance"],
                )
            )
        paid = self._credit_paid_online_company()
        if paid:
            parts.append((self.env._("Paid online for this quotation"), paid))
        breakdown = Markup(" · ").join(Markup("%s: %s") % (label, fmt(v)) for label, v in parts)
        lines = self._credit_reason_lines(verdict)
        missing = self._credit_missing_rate_currency()
        if missing:
            lines.append(self._credit_missing_rate_message(missing))
        if verdict.outcome == "blocked":
            footer = self.env._(
                "This quotation cannot be confirmed without a credit release approved by "
                "a credit manager."
            )
            release = self._credit_usable_release(verdict)
            if release:
                footer = self.env._(
                    "A credit release was approved by %(user)s: the order can be confirmed once.",
                    user=release.decided_by_id.name,
                )
            elif self.credit_release_pending:
                footer = self.env._("A credit release request is waiting for a decision.")
        elif verdict.outcome == "warning":
            footer = self.env._(
                "The order can be confirmed; the warning will be logged on the order."
            )
        else:
            footer = self.env._("This quotation is within the customer's credit.")
        items = Markup("").join(Markup("<li>%s</li>") % line for line in lines)
        group = verdict.group
        group_line = ""
        if group and group.limit:
            group_line = Markup('<div class="small o_credit_group">%s</div>') % self.env._(
                "Credit group %(group)s: %(available)s available of a %(limit)s group limit "
                "(group exposure %(exposure)s).",
                group=group.name,
                available=fmt(group.limit - group.exposure),
                limit=fmt(group.limit),
                exposure=fmt(group.exposure),
            )
        return Markup(
            '<div class="alert %(css)s mb-0 o_credit_banner" role="status">'
            "<div><strong>%(headline)s</strong></div>%(group)s"
            '<div class="small">%(breakdown)s</div>'
            '%(items)s<div class="o_credit_banner_footer">%(footer)s</div></div>'
        ) % {
            "css": css[verdict.outcome],
            "group": group_line,
            "headline": escape(headline),
            "breakdown": breakdown,
            "items": Markup('<ul class="mb-1 o_credit_reasons">%s</ul>') % items if lines else "",
            "footer": escape(footer),
        }

    # ------------------------------------------------------------------ releases

    def _credit_usable_release(self, verdict):
        """The approved release that lets this order go through now, if any."""
        self.ensure_one()
        return self.sudo().credit_release_ids._credit_first_usable(verdict)

    def _credit_void_stale_releases(self):
        """Void pending and approved releases that no longer describe their order."""
        releases = self.sudo().credit_release_ids.filtered(
            lambda r: r.state in ("pending", "approved")
        )
        for release in releases:
            if not release._credit_still_matches():
                release._void(
                    self.env._(
                        "The order's total, currency, customer or payment terms changed "
                        "after the request."
                    )
                )

    # ------------------------------------------------------------------ confirmation

    def _credit_lock(self):
        """Serialise confirmations per (company, commercial partner) until commit
        (``customer.credit.confirm.lock._credit_lock_pairs``, shared with invoice posting;
        it takes the credit groups' locks first)."""
        self.partner_id._credit_cache_commercial()
        memberships = self.env["customer.credit.confirm.lock"]._credit_lock_pairs(
            (o.company_id.id, o.partner_id.commercial_partner_id.id) for o in self
        )
        self._credit_after_lock_hook()
        return memberships

    def _credit_after_lock_hook(self):
        """Called with the credit locks held; tools/race_confirm.py sleeps here."""

    def _credit_check_confirmation(self):
        """Lock, evaluate and split the orders: (verdicts, blocked, releases to use)."""
        checked = self.filtered(
            lambda o: (
                o.state in ("draft", "sent")
                and o.partner_id
                and o.company_id.credit_control_enabled
            )
        )
        if not checked:
            return {}, self.browse(), {}
        memberships = checked._credit_lock()
        verdicts = checked._credit_evaluate(in_call=True, memberships=memberships)
        blocked = self.browse()
        releases = {}
        for order in checked:
            verdict = verdicts[order]
            if verdict.outcome != "blocked":
                continue
            order._credit_void_stale_releases()
            release = order._credit_usable_release(verdict)
            if release:
                releases[order] = release
            else:
                blocked |= order
        return verdicts, blocked, releases

    def action_confirm(self):
        """Confirm after the credit check: every path (button, list, portal, RPC) ends here,
        and a plain ``write({'state': 'sale'})`` runs the same check (see ``write``)."""
        verdicts, blocked, releases = self._credit_check_confirmation()
        if blocked:
            if self._credit_portal_call():
                return self._credit_handle_portal_block(blocked, verdicts)
            if self.env.context.get("credit_interactive") and len(self) == 1:
                return self._credit_release_wizard_action(verdicts[self])
            raise UserError(self._credit_block_message(blocked, verdicts))
        checked = self._credit_confirm_checked_ids()
        added = set(self.ids) - checked
        checked |= added
        try:
            result = super().action_confirm()
        finally:
            checked -= added
        self._credit_after_confirm(verdicts, releases)
        return result

    def _credit_confirm_checked_ids(self):
        """Ids of the orders whose confirmation passed the check in this transaction.

        Held in the cursor's cache: no RPC argument or context reaches it."""
        return self.env.cr.cache.setdefault(CONFIRM_CHECKED_KEY, set())

    def _credit_portal_call(self):
        """The customer accepts or pays online: the portal and payment code run in
        superuser mode, which a salesperson's RPC call can never be in."""
        return self.env.su and bool(self.env.context.get("credit_portal"))

    def _credit_after_confirm(self, verdicts, releases):
        for order, release in releases.items():
            release._mark_used(order)
        for order, verdict in verdicts.items():
            if verdict.outcome == "warning":
                order._credit_log_warning(verdict)

    def _credit_block_message(self, blocked, verdicts):
        parts = [
            self.env._("The credit check stops these orders:"),
        ]
        for order in blocked:
            parts.append(
                self.env._(
                    "%(order)s for %(customer)s:",
                    order=order.name,
                    customer=order.partner_id.commercial_partner_id.display_name,
                )
            )
            parts.extend(f"  - {line}" for line in order._credit_reason_lines(verdicts[order]))
        parts.append(
            self.env._(
                "Open each order and click 'Request Credit Release' to ask a credit manager "
                "for a release; the order can be confirmed once it is approved."
            )
        )
        return "\n".join(parts)

    def _credit_release_wizard_action(self, verdict):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Check: %(order)s Blocked", order=self.name),
            "res_model": "customer.credit.release.request",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_order_id": self.id,
                "default_blocked": True,
            },
        }

    def action_request_credit_release(self):
        """Open the release request form for this quotation."""
        self.ensure_one()
        return self._credit_release_wizard_action(None)

    def action_view_credit_releases(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Releases"),
            "res_model": "customer.credit.release",
            "view_mode": "list,form",
            "domain": [("order_id", "=", self.id)],
            "context": {"create": False},
        }

    def _credit_log_warning(self, verdict):
        lines = self._credit_reason_lines(verdict)
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._("Confirmed despite a credit warning:"),
            Markup("").join(Markup("<li>%s</li>") % line for line in lines),
        )
        self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        data = verdict.data
        self.env["customer.credit.workflow.mixin"]._credit_record_decision(
            "warn_confirmed",
            self.partner_id.commercial_partner_id,
            self.company_id,
            old=verdict.currency.format(data.exposure) if data else None,
            new=verdict.currency.format(data.exposure + data.order_amount) if data else None,
            comment="\n".join(lines),
            source=self,
        )
        if self._credit_portal_call():
            self.sudo()._credit_schedule_review(lines)

    def _credit_schedule_review(self, lines):
        """Activity for the credit managers on an order confirmed online over credit."""
        for user in self._credit_managers():
            self.activity_schedule(
                "customer_credit.mail_act_credit_review",
                user_id=user.id,
                note=Markup("<br/>").join(lines),
            )

    def _credit_managers(self, exclude=None):
        """Users to ask about this order (``exclude``: the requester, who may not decide
        on their own request); see ``customer.credit.workflow.mixin._credit_deciders``."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        return self.env["customer.credit.workflow.mixin"]._credit_deciders(
            partner, self.company_id, exclude=exclude
        )[partner.id]

    def _credit_handle_portal_block(self, blocked, verdicts):
        """Online acceptance of a blocked order: it stays a quotation, a release is asked
        for on the customer's behalf and the credit manager gets an activity."""
        Release = self.env["customer.credit.release"].sudo()
        for order in blocked:
            if order.sudo().credit_release_ids.filtered(lambda r: r.state == "pending"):
                continue
            Release.create(
                {
                    "order_id": order.id,
                    "request_comment": self.env._(
                        "The customer accepted the quotation online; it waits for a credit "
                        "release before it is confirmed."
                    ),
                }
            )
        others = self - blocked
        if others:
            others.action_confirm()
        return False

    # ------------------------------------------------------------------ write / cancel

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and (
            any(vals.get("state") in ("sale", "done") for vals in vals_list)
            or self.env.context.get("default_state") in ("sale", "done")
        ):
            raise UserError(
                self.env._(
                    "An order cannot be created already confirmed: create the quotation, "
                    "then click Confirm (the credit check runs there)."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        after_confirm = None
        if vals.get("state") == "sale":
            after_confirm = self._credit_check_state_write()
        snapshot = None
        if any(name in vals for name in RELEASE_WATCHED_FIELDS):
            watch_amounts = any(name in vals for name in AMOUNT_WATCHED_FIELDS)
            snapshot = self._credit_snapshot(amounts=watch_amounts)
        result = super().write(vals)
        if after_confirm:
            self._credit_after_confirm(*after_confirm)
        if snapshot:
            self._credit_after_change(snapshot)
        return result

    def _credit_check_state_write(self):
        """A write that confirms orders outside ``action_confirm`` gets the same check."""
        checked_ids = self._credit_confirm_checked_ids()
        unchecked = self.filtered(
            lambda o: o.state in ("draft", "sent") and o.id not in checked_ids
        )
        if not unchecked:
            return None
        verdicts, blocked, releases = unchecked._credit_check_confirmation()
        if blocked:
            raise UserError(unchecked._credit_block_message(blocked, verdicts))
        return verdicts, releases

    # ------------------------------------------------------------------ changes

    def _credit_fingerprint(self):
        """What a release was granted for: any difference voids it."""
        self.ensure_one()
        lines = tuple(
            sorted(
                (
                    line.id,
                    line.product_id.id,
                    line.display_type or "",
                    line.product_uom_qty,
                    line.product_uom.id,
                    line.price_unit,
                    line.discount,
                    tuple(sorted(line.tax_id.ids)),
                )
                for line in self.order_line
            )
        )
        return (
            self.partner_id.id,
            self.currency_id.id,
            self.payment_term_id.id,
            self.pricelist_id.id,
            self.fiscal_position_id.id,
            self.amount_total,
            lines,
        )

    def _credit_snapshot(self, amounts=True):
        """Before a change: fingerprints of the orders with a live release and, with
        ``amounts``, the company-currency totals and the customers of the confirmed,
        unlocked orders."""
        orders = self.sudo().exists()
        live = orders.credit_release_ids.filtered(lambda r: r.state in ("pending", "approved"))
        confirmed = (
            orders.filtered(
                lambda o: o.state == "sale" and not o.locked and o.company_id.credit_control_enabled
            )
            if amounts
            else orders.browse()
        )
        return {
            "fingerprints": {order.id: order._credit_fingerprint() for order in live.order_id},
            "amounts": {order.id: order._credit_amount_company() for order in confirmed},
            "customers": {
                order.id: order.partner_id.commercial_partner_id.id for order in confirmed
            },
        }

    def _credit_after_change(self, snapshot):
        """After a change of orders or lines: void the releases of changed orders, check
        the confirmed orders whose amount went up."""
        orders = (
            self.sudo().browse(set(snapshot["fingerprints"]) | set(snapshot["amounts"])).exists()
        )
        for order in orders.filtered(lambda o: o.id in snapshot["fingerprints"]):
            if order._credit_fingerprint() != snapshot["fingerprints"][order.id]:
                order.credit_release_ids._void(
                    self.env._(
                        "The order changed after the request (lines, amount, customer, "
                        "currency or terms)."
                    )
                )
        increases = {}
        customers = snapshot.get("customers", {})
        for order in orders.filtered(lambda o: o.id in snapshot["amounts"]):
            amount = order._credit_amount_company()
            customer = order.partner_id.commercial_partner_id.id
            if customers.get(order.id, customer) != customer:
                # moved to another customer: the whole order is new credit for them
                delta = amount
            else:
                delta = amount - snapshot["amounts"][order.id]
            if order.company_id.currency_id.compare_amounts(delta, 0.0) > 0:
                increases[order] = delta
        if increases:
            # checked in the caller's environment (records compare by id across envs)
            self.browse([order.id for order in increases])._credit_check_increase(increases)

    def _credit_check_increase(self, increases):
        """A confirmed order goes up: check the increase like a new order (block: refuse
        the change, warn: log it). Lowering an amount never gets here."""
        memberships = self._credit_lock()
        verdicts = self._credit_evaluate(
            raise_missing_rate=False, increases=increases, memberships=memberships
        )
        blocked = self.filtered(lambda o: verdicts[o].outcome == "blocked")
        if blocked:
            parts = [self.env._("The credit check stops this change of confirmed orders:")]
            for order in blocked:
                currency = verdicts[order].currency
                parts.append(
                    self.env._(
                        "%(order)s for %(customer)s would go up by %(amount)s:",
                        order=order.name,
                        customer=order.partner_id.commercial_partner_id.display_name,
                        amount=format_amount(self.env, increases[order], currency),
                    )
                )
                parts.extend(f"  - {line}" for line in order._credit_reason_lines(verdicts[order]))
            parts.append(
                self.env._(
                    "Nothing was changed. Put the additional quantities on a new quotation "
                    "and click 'Request Credit Release' there, or ask your credit manager "
                    "for a higher limit."
                )
            )
            raise UserError("\n".join(parts))
        for order in self:
            if verdicts[order].outcome == "warning":
                order._credit_log_warning(verdicts[order])

    def _action_cancel(self):
        result = super()._action_cancel()
        releases = self.sudo().credit_release_ids.filtered(
            lambda r: r.state in ("pending", "approved")
        )
        for release in releases:
            release._void(self.env._("The order was cancelled."))
        return result

    def _validate_order(self):
        # Portal signature (and the payment paths that call it): no technical error
        # for the customer when the credit check stops the order.
        return super(SaleOrder, self.with_context(credit_portal=True))._validate_order()
