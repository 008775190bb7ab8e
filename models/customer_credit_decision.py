"""Tamper-evident ledger of credit decisions, one hash chain per company.

Rows are appended by ``_record`` only and never change: see models/decision_chain.py
for the hash, ``_verify_chain`` for the check.
"""

import logging
from collections import namedtuple

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.decision_chain import GENESIS_HASH
from ..tools.decision_chain import as_text
from ..tools.decision_chain import decision_hash
from ..tools.decision_chain import ledger_lock_keys

_logger = logging.getLogger(__name__)

# Context key that lets ``create`` through; honoured only under sudo (see create).
# Rows fetched per round trip by _verify_chain's server-side cursor.
VERIFY_BATCH = 5000

KINDS = [
    ("limit", "Credit Limit"),
    ("grade", "Credit Grade"),
    ("score", "Credit Score"),
    ("policy", "Credit Policy"),
    ("hold", "Credit Hold"),
    ("hold_lifted", "Credit Hold Lifted"),
    ("release_requested", "Release Requested"),
    ("release_approved", "Release Approved"),
    ("release_refused", "Release Refused"),
    ("release_used", "Release Used"),
    ("release_void", "Release Voided"),
    ("limit_request_approved", "Limit Request Approved"),
    ("limit_request_refused", "Limit Request Refused"),
    ("agreement_activated", "Agreement Activated"),
    ("agreement_terminated", "Agreement Terminated"),
    ("agreement_expired", "Agreement Expired"),
    ("evaluation_approved", "Evaluation Approved"),
    ("evaluation_refused", "Evaluation Refused"),
    ("warn_confirmed", "Credit Warning Confirmed"),
    ("warn_posted", "Invoice Posted Despite Credit Warning"),
    ("group_member_added", "Added to Credit Group"),
    ("group_member_removed", "Removed from Credit Group"),
    ("invoice_dispute_opened", "Invoice Put in Dispute"),
    ("invoice_dispute_lifted", "Invoice Dispute Lifted"),
    ("invoice_expected_payment", "Invoice Expected Payment Date"),
]

# Outcome of a chain check: ``record`` is the first broken decision (empty when the
# chain is valid, or when every row was deleted: then ``reason`` is 'emptied').
ChainCheck = namedtuple("ChainCheck", "ok record reason count")


# Columns _record inserts, in order (the hashed values).
INSERT_COLUMNS = (
    "sequence",
    "company_id",
    "date",
    "user_id",
    "partner_id",
    "kind",
    "old_value",
    "new_value",
    "comment",
    "res_model",
    "res_id",
    "reference",
    "previous_hash",
    "hash",
)
INSERT_COLUMNS_SQL = SQL(", ").join(SQL.identifier(name) for name in INSERT_COLUMNS)


class CustomerCreditDecision(models.Model):
    """One credit decision (limit, grade, hold, release, approval ...) of a company,
    append-only and linked to the previous one by a SHA-256 hash chain."""

    _name = "customer.credit.decision"
    _description = "Credit Decision"
    _order = "company_id, sequence desc"
    _check_company_auto = True

    sequence = fields.Integer(
        readonly=True, help="Position of the decision in its company's chain: 1, 2, 3 ..."
    )
    date = fields.Datetime(readonly=True, index=True)
    user_id = fields.Many2one("res.users", readonly=True, ondelete="restrict")
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="restrict")
    partner_id = fields.Many2one(
        "res.partner", "Customer", readonly=True, index=True, ondelete="restrict"
    )
    kind = fields.Selection(KINDS, "Decision", required=True, readonly=True)
    old_value = fields.Char(readonly=True)
    new_value = fields.Char(readonly=True)
    comment = fields.Text(readonly=True)
    res_model = fields.Char("Source Model", readonly=True)
    res_id = fields.Many2oneReference("Source ID", model_field="res_model", readonly=True)
    reference = fields.Char("Source Document", readonly=True)
    previous_hash = fields.Char(readonly=True)
    hash = fields.Char(readonly=True)

    _sql_constraints = [
        (
            "company_sequence_uniq",
            "UNIQUE(company_id, sequence)",
            "A company's decision chain has one decision per position.",
        ),
    ]

    @api.depends("sequence", "kind")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for decision in self:
            decision.display_name = f"#{decision.sequence} {kinds.get(decision.kind, '')}".strip()

    def init(self):  # pylint: disable=missing-return
        super().init()
        # Head of each company's chain: the row every append updates (see _record).
        self.env.cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS customer_credit_decision_head (
                    company_id integer PRIMARY KEY
                        REFERENCES res_company(id) ON DELETE RESTRICT,
                    last_sequence integer NOT NULL DEFAULT 0,
                    last_hash varchar NOT NULL DEFAULT ''
                )
                """
            )
        )

    # ------------------------------------------------------------------ append-only

    def _audit_error(self):
        return UserError(
            self.env._("Credit decisions are an audit record and cannot be changed or deleted.")
        )

    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        # Only _record appends rows, with SQL, under the chain's lock: no create through
        # the ORM for anyone, whatever the context or the rights.
        raise UserError(
            self.env._(
                "Credit decisions are recorded by the application when a decision "
                "is taken; they cannot be created by hand."
            )
        )

    # Append-only: no super() on purpose, for anyone.
    def write(self, vals):  # pylint: disable=method-required-super
        raise self._audit_error()

    def _write(self, vals):
        raise self._audit_error()

    def _write_multi(self, vals_list):
        raise self._audit_error()

    def unlink(self):  # pylint: disable=method-required-super
        raise self._audit_error()

    def copy(self, default=None):  # pylint: disable=method-required-super
        raise self._audit_error()

    # ------------------------------------------------------------------ append

    @api.model
    def _record(
        self, kind, partner, company, old=None, new=None, comment=None, source=None, user=None
    ):
        """Append one decision to ``company``'s chain; returns the new record.
        ``partner``: res.partner (its commercial partner is stored) or empty; ``source``: any record or None
        (res_model/res_id/reference=display_name); old/new: any value, stored as str (False/None -> '');
        ``user``: res.users, default self.env.user."""
        company.ensure_one()
        user = user or self.env.user
        partner = partner.commercial_partner_id if partner else None
        source = source[:1] if source else None
        # One round trip: lock, create the head row if missing, take the next position.
        # Updating the head conflicts with any append committed after this
        # transaction's snapshot: REPEATABLE READ then raises a serialization error,
        # which Odoo retries, instead of two rows forking the chain. The advisory lock
        # only orders the appends; it does not refresh the snapshot.
        key1, key2 = ledger_lock_keys(company.id)
        self.env.cr.execute(
            SQL(
                """
                SELECT pg_advisory_xact_lock(%(key1)s, %(key2)s);
                UPDATE customer_credit_decision_head
                   SET last_sequence = last_sequence + 1
                 WHERE company_id = %(company)s
             RETURNING last_sequence, last_hash
                """,
                key1=key1,
                key2=key2,
                company=company.id,
            ),
            log_exceptions=False,
        )
        head = self.env.cr.fetchone()
        if head is None:
            # The company's first decision: create its head. ON CONFLICT turns a head
            # committed by a concurrent first append after our snapshot into a
            # serialization failure (retried), never a unique violation.
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO customer_credit_decision_head
                                (company_id, last_sequence, last_hash)
                    VALUES (%(company)s, 0, %(genesis)s)
                    ON CONFLICT (company_id) DO NOTHING;
                    UPDATE customer_credit_decision_head
                       SET last_sequence = last_sequence + 1
                     WHERE company_id = %(company)s
                 RETURNING last_sequence, last_hash
                    """,
                    company=company.id,
                    genesis=GENESIS_HASH,
                ),
                log_exceptions=False,
            )
            head = self.env.cr.fetchone()
        sequence, previous_hash = head
        values = {
            "sequence": sequence,
            "company_id": company.id,
            "date": fields.Datetime.now(),  # seconds precision, hashed as format_date
            "user_id": user.id or False,
            "partner_id": partner.id if partner else False,
            "kind": kind,
            "old_value": as_text(old),
            "new_value": as_text(new),
            "comment": as_text(comment),
            "res_model": source._name if source else "",
            "res_id": source.id if source else 0,
            "reference": source.sudo().display_name if source else "",
            "previous_hash": previous_hash,
        }
        values["hash"] = decision_hash(previous_hash, values)
        # Second and last round trip: insert the row (plain SQL: nothing of the ORM's
        # create applies to an append-only row) and move the head to its hash.
        columns = INSERT_COLUMNS
        now = values["date"]
        decision_id = self.env.execute_query(
            SQL(
                """
                WITH inserted AS (
                    INSERT INTO customer_credit_decision (%(columns)s, create_uid, create_date,
                                                          write_uid, write_date)
                    VALUES (%(values)s, %(uid)s, %(now)s, %(uid)s, %(now)s)
                    RETURNING id
                )
                UPDATE customer_credit_decision_head
                   SET last_hash = %(hash)s
                 WHERE company_id = %(company)s
             RETURNING (SELECT id FROM inserted)
                """,
                columns=INSERT_COLUMNS_SQL,
                values=SQL(", ").join(
                    SQL("%s", values[name] if values[name] is not False else None)
                    for name in columns
                ),
                uid=self.env.uid,
                now=now,
                hash=values["hash"],
                company=company.id,
            )
        )[0][0]
        return self.browse(decision_id).sudo(self.env.su)

    # ------------------------------------------------------------------ verification

    @api.model
    def _check_chain(self, company):
        """Recompute ``company``'s chain in sequence order, reading the rows through a
        server-side cursor (constant memory); returns a ChainCheck."""
        company.ensure_one()
        self.env.flush_all()
        cursor = SQL.identifier(f"customer_credit_decision_verify_{company.id}")
        self.env.cr.execute(
            SQL(
                """
                DECLARE %s NO SCROLL CURSOR FOR
                SELECT id, sequence, company_id, date, user_id, partner_id, kind,
                       old_value, new_value, comment, res_model, res_id, reference,
                       previous_hash, hash
                  FROM customer_credit_decision
                 WHERE company_id = %s
                 ORDER BY sequence
                """,
                cursor,
                company.id,
            )
        )
        names = (
            "id sequence company_id date user_id partner_id kind old_value new_value "
            "comment res_model res_id reference previous_hash hash"
        ).split()
        expected_sequence, previous_hash, last_id = 1, GENESIS_HASH, None
        broken = None
        while broken is None:
            rows = self.env.execute_query(SQL("FETCH FORWARD %s FROM %s", VERIFY_BATCH, cursor))
            if not rows:
                break
            for row in rows:
                values = dict(zip(names, row))
                if values["sequence"] != expected_sequence:
                    broken = (values["id"], "sequence")
                elif (values["previous_hash"] or "") != previous_hash:
                    broken = (values["id"], "link")
                elif decision_hash(previous_hash, values) != values["hash"]:
                    broken = (values["id"], "hash")
                if broken:
                    break
                previous_hash, last_id = values["hash"], values["id"]
                expected_sequence += 1
        # (an unfinished cursor would die with the transaction)
        self.env.cr.execute(SQL("CLOSE %s", cursor))
        count = expected_sequence - 1
        if broken:
            return ChainCheck(False, self.browse(broken[0]), broken[1], count)
        head = self.env.execute_query(
            SQL(
                "SELECT last_sequence, last_hash FROM customer_credit_decision_head "
                "WHERE company_id = %s",
                company.id,
            )
        )
        head_sequence, head_hash = head[0] if head else (0, GENESIS_HASH)
        if (head_sequence, head_hash) != (count, previous_hash):
            # The last rows were removed (or the head was altered): name the last row.
            if last_id:
                return ChainCheck(False, self.browse(last_id), "head", count)
            return ChainCheck(False, self.browse(), "emptied", count)
        return ChainCheck(True, self.browse(), "", count)

    @api.model
    def _verify_chain(self, company):
        """First broken decision of ``company``'s chain, or False when it is valid.

        A changed row (content, hash or link) is named itself; a deleted row makes
        the next row the broken one (its sequence skips); rows deleted at the end of
        the chain (the head row remembers more) make the last remaining row the broken
        one. When every row was deleted, there is no row to name: the company
        (``res.company``) is returned instead. ``_check_chain`` gives the reason.
        """
        check = self._check_chain(company)
        if check.ok:
            return False
        return check.record or company

    # ------------------------------------------------------------------ actions

    def _chain_message(self, company, check):
        if check.ok:
            return self.env._(
                "Credit decision ledger of %(company)s verified: %(count)s decisions, "
                "the chain is intact.",
                company=company.name,
                count=check.count,
            )
        if not check.record:
            return self.env._(
                "Credit decision ledger of %(company)s is BROKEN: its decisions were "
                "deleted (the chain head remembers more).",
                company=company.name,
            )
        return self.env._(
            "Credit decision ledger of %(company)s is BROKEN at decision "
            "#%(sequence)s (id %(id)s): %(reason)s",
            company=company.name,
            sequence=check.record.sequence,
            id=check.record.id,
            reason=self._chain_reason(check.reason),
        )

    def _chain_reason(self, reason):
        return {
            "sequence": self.env._("a decision before it is missing."),
            "link": self.env._("it does not link to the previous decision."),
            "hash": self.env._("its content was changed."),
            "head": self.env._("the decisions after it were deleted."),
        }.get(reason, reason)

    def _verify_and_report(self, companies):
        """Check each company's chain and post the result on the company's partner;
        returns {company: ChainCheck}."""
        results = {}
        Decision = self.sudo()
        for company in companies:
            check = Decision._check_chain(company)
            results[company] = check
            company.partner_id.sudo().message_post(
                body=Decision._chain_message(company, check),
                subtype_xmlid="mail.mt_note",
            )
            if not check.ok:
                _logger.warning(
                    "customer_credit: decision ledger of company %s broken at decision %s (%s)",
                    company.id,
                    check.record.id,
                    check.reason,
                )
        return results

    def action_verify_ledger(self):
        """Verify the decision chain of every company of the user (credit managers).

        Called from the list's header button with the selected rows (possibly none):
        the rows do not matter, every chain of the user's companies is checked."""
        if not self.env.user.has_group("customer_credit.group_credit_manager"):
            raise AccessError(self.env._("Only credit managers can verify the decision ledger."))
        results = self._verify_and_report(self.env.user.company_ids)
        broken = {company: check for company, check in results.items() if not check.ok}
        if broken:
            message = "\n".join(self._chain_message(c, check) for c, check in broken.items())
        else:
            message = self.env._(
                "%(count)s decisions verified in %(companies)s companies: every chain is intact.",
                count=sum(check.count for check in results.values()),
                companies=len(results),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Decision Ledger"),
                "message": message,
                "type": "danger" if broken else "success",
                "sticky": bool(broken),
            },
        }

    @api.model
    def _cron_verify_ledger(self):
        """Weekly: verify every company's chain; a broken one gets a to-do for the
        company's credit managers on the broken decision's customer."""
        companies = self.env["res.company"].sudo().search([])
        for company, check in self._verify_and_report(companies).items():
            if check.ok:
                continue
            partner = check.record.partner_id
            if not partner:
                _logger.error(
                    "customer_credit: decision ledger of company %s is broken and the "
                    "decision names no customer to schedule the review on",
                    company.id,
                )
                continue
            managers = (
                self.env["customer.credit.monitor"].with_company(company)._company_credit_managers()
            )
            for manager in managers:
                partner.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=manager.id,
                    summary=self.env._("Credit decision ledger broken"),
                    note=self._chain_message(company, check),
                )
