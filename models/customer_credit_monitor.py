"""The scheduled credit monitoring: overdue escalation, automatic hold and release,
collection case follow-up, due reviews, expiring limits and agreements.

Each run separates the *decision* (one SQL scan that returns what is new to do) from
the *actions* (done in batches, committed per batch). The unique (invoice, level) rows
of customer.credit.escalation.log make a run idempotent and an interrupted run
resumable: what was committed is never done again.
"""

import logging
import threading
from collections import defaultdict
from contextlib import closing
from contextlib import contextmanager
from dataclasses import dataclass

from markupsafe import Markup
from markupsafe import escape

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.sql_db import db_connect
from odoo.tools import SQL
from odoo.tools import split_every
from odoo.tools.misc import formatLang

from ..tools.credit_check import escalation_lock_keys
from ..tools.monitoring_rules import plan_partner_actions
from ..tools.receivables import open_receivable_sql
from ..tools.receivables import undisputed_sql
from ..tools.sql_settings import whole_ledger_statement

_logger = logging.getLogger(__name__)

# Invoices listed in a chatter note; the escalation log has them all.
NOTE_MAX_INVOICES = 10

# Open receivable lines still owed by the customer.
RECEIVABLE_LINE_FILTER = open_receivable_sql("aml", debts_only=True)
# ... and chased: their invoice is not in dispute.
CHASED_LINE_FILTER = SQL("(%s AND %s)", RECEIVABLE_LINE_FILTER, undisputed_sql("aml"))


@dataclass
class EscalationRun:
    """What the action steps of one batch share."""

    env: object
    batch: list
    levels: dict
    today: object
    partners: object
    moves: object
    plans: dict
    managers_by_partner: dict
    notes: dict
    results: dict


class CustomerCreditMonitor(models.AbstractModel):
    _name = "customer.credit.monitor"
    _description = "Customer Credit Monitoring"

    # ------------------------------------------------------------------ helpers

    @api.model
    def _auto_commit(self):
        # Never in tests, nor while modules load (the demo runs the jobs: an install
        # must not be committed half-way).
        return self.env.registry.ready and not getattr(threading.current_thread(), "testing", False)

    @api.model
    def _commit_batch(self, done, remaining):
        """Make a finished batch durable and report progress to the cron."""
        if self._auto_commit():
            # Commit per batch so that a crash loses nothing (issue 5); the log rows'
            # unique key makes the next run resume without duplicates.
            self.env.cr.commit()  # pylint: disable=invalid-commit
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    @api.model
    def _credit_managers_for(self, partners):
        """Users who should act for ``partners``: their credit manager, else every
        credit manager of the company (OdooBot and portal users excluded)."""
        managers = self.env["res.users"]
        for users in self._credit_managers_by_partner(partners).values():
            managers |= users
        return managers

    @api.model
    def _credit_managers_by_partner(self, partners):
        """{partner id: credit manager(s)} for a batch in the current company."""
        return self.env["customer.credit.workflow.mixin"]._credit_deciders(
            partners, self.env.company
        )

    @api.model
    def _company_credit_managers(self):
        """Every credit manager of the current company (no customer's own manager)."""
        return self.env["customer.credit.workflow.mixin"]._credit_group_members(self.env.company)

    def _amount(self, amount, company):
        return formatLang(self.env, amount, currency_obj=company.currency_id)

    # ------------------------------------------------------------------ escalation

    @api.model
    def _cron_escalate_overdue(self, batch_size=200, limit=None):
        """Daily: apply the escalation levels reached by overdue invoices, release the
        holds this run set once the debt is cleared, follow up collection cases.

        :param batch_size: customers per committed batch;
        :param limit: stop after this many customers (the cron reruns to finish).
        """
        today = fields.Date.context_today(self)
        done = 0
        companies = (
            self.env["customer.credit.escalation.level"].sudo()._read_group([], ["company_id"])
        )
        for [company] in companies:
            monitor = self.sudo().with_company(company)
            with monitor._escalation_run_lock(company) as locked:
                if not locked:
                    _logger.info(
                        "Overdue escalation of %s skipped: another run is escalating it.",
                        company.name,
                    )
                    continue
                levels = monitor.env["customer.credit.escalation.level"]._level_specs()
                if levels:
                    todo = monitor._escalation_scan(today)
                    groups = monitor._group_by_partner(todo)
                    total = done + len(groups)
                    for batch in split_every(batch_size, groups):
                        if limit and done >= limit:
                            break
                        monitor._escalation_act_batch(batch, levels, today)
                        done += len(batch)
                        monitor._commit_batch(done, total - done)
                    if limit and done >= limit:
                        self.env["ir.cron"]._notify_progress(
                            done=done, remaining=max(total - done, 1)
                        )
                        return done
                monitor._escalation_release(today)
                monitor._commit_batch(done, 0)
                monitor._collection_cases_follow_up(today)
                monitor._commit_batch(done, 0)
        return done

    @api.model
    @contextmanager
    def _escalation_run_lock(self, company):
        """One escalation run per company at a time (two cron processes, or the cron and
        a manual run): yields False when another run holds the company.

        The advisory lock lives in a transaction of its own, so the batches' commits do
        not release it; it is released when this block ends, or when a crashed run's
        connection closes. Once it is held, the run starts a fresh transaction: in
        REPEATABLE READ a snapshot taken before the other run's last commit would not
        see that run's log rows and would do its work again.
        """
        # A connection of its own, even under the test runner (whose cursors share one).
        with closing(db_connect(self.env.cr.dbname).cursor()) as lock_cr:
            lock_cr.execute(
                SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", *escalation_lock_keys(company.id))
            )
            locked = lock_cr.fetchone()[0]
            if locked and self._auto_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit
                self.env.invalidate_all()
            yield locked

    @api.model
    def _escalation_scan(self, today):
        """The decision, in one query: the (invoice, level) pairs reached and not yet
        applied in the current company.

        :return: rows ``(partner_id, move_id, level_id, days_overdue, amount_residual)``
            ordered by customer.
        """
        company = self.env.company
        self.env["account.move.line"].flush_model(
            [
                "amount_residual",
                "reconciled",
                "parent_state",
                "partner_id",
                "date_maturity",
                "account_id",
                "company_id",
                "move_id",
            ]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env["customer.credit.escalation.log"].flush_model(["move_id", "level_id"])
        self.env["customer.credit.escalation.level"].flush_model()
        self.env["account.move"].flush_model(["credit_dispute", "credit_expected_payment_date"])
        # A courtesy level (negative days) reaches invoices not yet due, an ordinary one
        # (0 days or more) invoices at least one day overdue; the window of due dates
        # read starts at the lowest level. Invoices in dispute are not chased, and an
        # invoice takes no step before its expected payment date.
        whole_ledger_statement(self.env.cr)
        return self.env.execute_query(
            SQL(
                """
                WITH levels AS (
                    SELECT id, days FROM customer_credit_escalation_level
                     WHERE company_id = %(company)s AND active
                ),
                overdue AS (
                    SELECT aml.move_id,
                           MIN(rp.commercial_partner_id) AS partner_id,
                           %(today)s - MIN(COALESCE(aml.date_maturity, aml.date)) AS days,
                           SUM(aml.amount_residual) AS residual
                      FROM account_move_line aml
                      JOIN res_partner rp ON rp.id = aml.partner_id
                     WHERE %(receivable)s
                       AND aml.company_id = %(company)s
                       AND COALESCE(aml.date_maturity, aml.date)
                           <= %(today)s - (SELECT MIN(days) FROM levels)
                     GROUP BY aml.move_id
                )
                SELECT o.partner_id, o.move_id, l.id, o.days, o.residual
                  FROM overdue o
                  JOIN levels l ON l.days <= o.days
                                AND ((l.days < 0 AND o.days < 0) OR (l.days >= 0 AND o.days >= 1))
                 WHERE NOT EXISTS (
                           SELECT 1 FROM customer_credit_escalation_log g
                            WHERE g.move_id = o.move_id AND g.level_id = l.id)
                   AND NOT EXISTS (
                           SELECT 1 FROM account_move expected
                            WHERE expected.id = o.move_id
                              AND expected.credit_expected_payment_date >= %(today)s)
                 ORDER BY o.partner_id, o.move_id, l.days
                """,
                company=company.id,
                today=today,
                receivable=CHASED_LINE_FILTER,
            )
        )

    @api.model
    def _group_by_partner(self, rows):
        groups = defaultdict(list)
        for partner_id, move_id, level_id, days, residual in rows:
            groups[partner_id].append((move_id, level_id, days, float(residual)))
        return list(groups.items())

    @api.model
    def _escalation_act_batch(self, batch, levels, today):
        """Apply the plans of a batch of customers, inside a savepoint: a batch is done
        entirely or not at all. When it fails, its customers are replayed one by one: a
        customer whose actions fail is skipped (and retried on the next run), logged and
        reported to a credit manager without stopping the others."""
        if len(batch) > 1:
            try:
                with self.env.cr.savepoint():
                    self._escalation_act(batch, levels, today)
                return
            except Exception:  # noqa: BLE001 - replay the customers one by one
                self.env.invalidate_all()
        items = dict(batch)
        self._run_isolated(
            self.env._("Escalate overdue invoices"),
            self.env["res.partner"].browse(list(items)),
            lambda partner: self._escalation_act([(partner.id, items[partner.id])], levels, today),
        )

    @api.model
    def _escalation_act(self, batch, levels, today):
        """The actions for a batch of customers: emails, activities, warning, hold,
        collection cases, log rows and a chatter note per customer."""
        env = self.env
        partners = env["res.partner"].browse([pid for pid, _rows in batch])
        moves = env["account.move"].browse(
            {move_id for _pid, rows in batch for move_id, *_rest in rows}
        )
        moves.fetch(["name"])
        run = EscalationRun(
            env=env,
            batch=batch,
            levels=levels,
            today=today,
            partners=partners,
            moves=moves,
            plans={
                pid: plan_partner_actions(pid, [(m, lvl) for m, lvl, _d, _r in rows], levels)
                for pid, rows in batch
            },
            managers_by_partner=self._credit_managers_by_partner(partners),
            notes=defaultdict(list),  # partner id -> action sentences
            results=defaultdict(dict),  # partner id -> log values
        )
        self._escalation_send_emails(run)
        self._escalation_schedule_activities(run)
        self._escalation_set_status(run)
        self._escalation_open_cases(run)
        self._escalation_write_logs(run)
        self._escalation_post_notes(run)

    @api.model
    def _escalation_send_emails(self, run):
        """Write to the customers as their most severe new level says: an email to the
        invoicing contact (else the customer) carrying the level's documents, and/or a
        letter to print. A customer without an email address is never skipped: it gets
        a letter and its credit manager an activity to post it."""
        env = run.env
        levels = run.levels
        notes = run.notes
        results = run.results
        by_template = defaultdict(list)  # template id -> partner ids
        letters = []  # (partner id, reason)
        recipients = {}
        for pid, plan in run.plans.items():
            if not plan.email_level_id:
                continue
            level = levels[plan.email_level_id]
            partner = run.partners.browse(pid)
            if level.channel in ("email", "both") and level.template_id:
                recipient = partner._credit_followup_recipient()
                if not recipient:
                    letters.append((pid, "no_email"))
                    continue
                recipients[pid] = recipient
                by_template[level.template_id].append(pid)
            if level.channel in ("letter", "both"):
                letters.append((pid, "letter"))
        if not (by_template or letters):
            return
        listed = self._escalation_listed_moves(run, {pid for pid, _r in letters} | set(recipients))
        context = {
            "credit_overdue_move_ids": tuple(
                (pid, tuple(ids)) for pid, ids in listed["overdue"].items()
            ),
            "credit_followup_move_ids": tuple(
                (pid, tuple(ids)) for pid, ids in listed["listed"].items()
            ),
            "credit_qweb_compile_once": True,
        }
        for template_id, pids in by_template.items():
            template = env["mail.template"].browse(template_id)
            mails = self._escalation_reminder_mails(
                template.with_context(**context), run.partners.browse(pids)
            )
            for mail in mails:
                pid = mail.res_id
                level = levels[run.plans[pid].email_level_id]
                mail.write(
                    {
                        "recipient_ids": [Command.set(recipients[pid].ids)],
                        "attachment_ids": [
                            Command.link(attachment.id)
                            for attachment in self._escalation_attachments(
                                run, pid, level, listed["listed"][pid]
                            )
                        ],
                    }
                )
            for pid in pids:
                results[pid]["email_sent"] = True
                notes[pid].append(
                    env._(
                        "Reminder email '%(template)s' sent to %(recipient)s.",
                        template=template.name,
                        recipient=recipients[pid].email,
                    )
                )
        self._escalation_create_letters(run, letters, listed["listed"])

    @api.model
    def _escalation_listed_moves(self, run, pids):
        """What each message lists: {"overdue": {pid: overdue move ids}, "listed": {pid:
        the invoices the message is about}}; a courtesy reminder (a level before the due
        date) lists the invoices falling due that reached it, the others the overdue
        invoices (not in dispute), in one query for the batch."""
        partners = run.partners.browse(sorted(pids))
        overdue = partners._credit_overdue_move_ids_by_partner(run.today)
        listed = {}
        for pid in pids:
            plan = run.plans[pid]
            if run.levels[plan.email_level_id].days < 0:
                listed[pid] = sorted(
                    move_id
                    for move_id, level_id in plan.top_level_by_move.items()
                    if run.levels[level_id].days < 0
                )
            else:
                listed[pid] = overdue.get(pid, [])
        return {"overdue": overdue, "listed": listed}

    @api.model
    def _escalation_attachments(self, run, pid, level, move_ids):
        """The documents the level carries, as attachments of the customer."""
        if not (level.attach_statement or level.attach_invoices):
            return run.env["ir.attachment"]
        partner = run.partners.browse(pid)
        documents = partner._credit_follow_up_documents(
            run.env["account.move"].browse(move_ids),
            run.today,
            level.attach_statement,
            level.attach_invoices,
        )
        return (
            run.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": name,
                        "raw": content,
                        "res_model": "res.partner",
                        "res_id": pid,
                        "mimetype": "application/pdf",
                    }
                    for name, content in documents
                ]
            )
        )

    @api.model
    def _escalation_create_letters(self, run, letters, listed):
        """Letters to print (one per customer and run) and, for customers without an
        email address, an activity for the credit manager to post it."""
        if not letters:
            return
        env = run.env
        vals_list = []
        for pid, reason in letters:
            level = run.levels[run.plans[pid].email_level_id]
            partner = run.partners.browse(pid)
            vals_list.append(
                {
                    "company_id": env.company.id,
                    "partner_id": pid,
                    "address_id": partner._credit_letter_address().id,
                    "level_id": level.id,
                    "date": run.today,
                    "move_ids": [Command.set(listed[pid])],
                    "courtesy": level.days < 0,
                    "attach_statement": level.attach_statement,
                    "attach_invoices": level.attach_invoices,
                    "reason": reason,
                }
            )
        created = env["customer.credit.letter"].sudo().create(vals_list)
        activity_type = env.ref("customer_credit.mail_activity_type_credit_escalation")
        partner_model_id = env["ir.model"]._get_id("res.partner")
        activity_vals = []
        for letter, (pid, reason) in zip(created, letters, strict=True):
            run.results[pid]["letter_id"] = letter.id
            if reason == "letter":
                run.notes[pid].append(env._("Letter to print created."))
                continue
            run.notes[pid].append(
                env._("No email address: a letter to print was created instead of the email.")
            )
            summary = env._("No email address: print and post the follow-up letter")
            note = env._(
                "%(customer)s has no email address: print its letter (Credit > Letters to "
                "Print) and post it, or add the email address of its invoicing contact.",
                customer=letter.partner_id.display_name,
            )
            activity_vals += [
                self._activity_vals(
                    partner_model_id, activity_type, pid, user, run.today, summary, note
                )
                for user in run.managers_by_partner.get(pid) or env["res.users"]
            ]
        if activity_vals:
            env["mail.activity"].with_context(mail_activity_quick_update=True).create(activity_vals)

    @api.model
    def _escalation_schedule_activities(self, run):
        """Activities for salespeople and credit managers, created together."""
        env = run.env
        Level = run.env["customer.credit.escalation.level"]
        plans = run.plans
        partners = run.partners
        moves = run.moves
        today = run.today
        notes = run.notes
        results = run.results
        managers_by_partner = run.managers_by_partner
        activity_vals = []
        partner_model_id = env["ir.model"]._get_id("res.partner")
        activity_type = env.ref("customer_credit.mail_activity_type_credit_escalation")
        for pid, plan in plans.items():
            partner = partners.browse(pid)
            invoices_text = ", ".join(
                moves.browse(move_id).name for move_id in sorted(plan.top_level_by_move)
            )
            salesperson = partner.user_id if partner.user_id and not partner.user_id.share else None
            assigned = env["res.users"]
            # The salesperson (or the credit managers when the customer has none) first,
            # then the credit managers not already assigned.
            for level_id, flag in (
                (plan.salesperson_level_id, "activity_salesperson"),
                (plan.manager_level_id, "activity_manager"),
            ):
                if not level_id:
                    continue
                code = Level.browse(level_id).code
                if flag == "activity_salesperson":
                    users = salesperson or managers_by_partner[pid]
                    summary = env._("Overdue %(level)s: follow up with the customer", level=code)
                else:
                    users = managers_by_partner[pid] - assigned
                    summary = env._("Overdue %(level)s: review the customer's credit", level=code)
                activity_vals += [
                    self._activity_vals(
                        partner_model_id, activity_type, pid, user, today, summary, invoices_text
                    )
                    for user in users
                ]
                assigned |= users
                results[pid][flag] = bool(users)
            if assigned:
                notes[pid].append(
                    env._(
                        "Activity scheduled for %(users)s.",
                        users=", ".join(assigned.mapped("name")),
                    )
                )
        if activity_vals:
            env["mail.activity"].with_context(mail_activity_quick_update=True).create(activity_vals)

    @api.model
    def _escalation_set_status(self, run):
        """Warning status and automatic credit hold, one write per level (the chatter note tells what changed: no tracking message on top of it)."""
        env = run.env
        company = run.env.company
        Level = run.env["customer.credit.escalation.level"]
        plans = run.plans
        partners = run.partners
        notes = run.notes
        results = run.results
        # The chatter note below tells what changed: no tracking message on top of it.
        partners_co = partners.with_company(company).with_context(mail_notrack=True)
        warn = partners_co.filtered(lambda p: plans[p.id].warning_level_id and not p.credit_warning)
        if warn:
            warn.write({"credit_warning": True})
            for pid in warn.ids:
                results[pid]["warning_set"] = True
                notes[pid].append(env._("Credit status set to Warning."))
        hold_by_level = defaultdict(list)
        for partner in partners_co:
            plan = plans[partner.id]
            if plan.hold_level_id and not partner.credit_hold:
                hold_by_level[plan.hold_level_id].append(partner.id)
            elif plan.hold_level_id:
                notes[partner.id].append(env._("Already on credit hold: hold left unchanged."))
        for level_id, pids in hold_by_level.items():
            level = Level.browse(level_id)
            partners_co.browse(pids).write(
                {
                    "credit_hold": True,
                    "credit_hold_auto": True,
                    "credit_hold_reason": env._(
                        "Automatic: invoices overdue %(days)s days or more (level %(level)s).",
                        days=level.days,
                        level=level.code,
                    ),
                }
            )
            for pid in pids:
                results[pid]["hold_set"] = True
                notes[pid].append(env._("Credit hold set automatically."))

    @api.model
    def _escalation_open_cases(self, run):
        """Collection cases: extend the open case or open one."""
        env = run.env
        company = run.env.company
        plans = run.plans
        notes = run.notes
        results = run.results
        managers_by_partner = run.managers_by_partner
        case_plans = {pid: plan for pid, plan in plans.items() if plan.case_level_id}
        if case_plans:
            # No mail.thread side effects per case (creation message, one follower
            # insert per case, tracking): the responsible follows their cases through
            # one subscription per user below, and the customer's note tells the story.
            Case = env["customer.credit.collection.case"].sudo().with_context(tracking_disable=True)
            open_cases = Case.search(
                [
                    ("partner_id", "in", list(case_plans)),
                    ("company_id", "=", company.id),
                    ("is_closed", "=", False),
                ],
                order="id",
            )
            case_by_partner = {}
            for case in open_cases:
                case_by_partner.setdefault(case.partner_id.id, case)
            new_vals = []
            for pid, plan in case_plans.items():
                case = case_by_partner.get(pid)
                if case:
                    case.invoice_ids = [(4, move_id) for move_id in plan.case_move_ids]
                    results[pid]["case_id"] = case.id
                    notes[pid].append(
                        env._("Invoices added to collection case %(case)s.", case=case.name)
                    )
                else:
                    managers = managers_by_partner[pid]
                    new_vals.append(
                        {
                            "partner_id": pid,
                            "company_id": company.id,
                            "invoice_ids": [(6, 0, plan.case_move_ids)],
                            "escalation_level_id": plan.case_level_id,
                            "user_id": managers[:1].id or False,
                        }
                    )
            new_cases = Case.create(new_vals)
            for user, cases in new_cases.grouped("user_id").items():
                if user.partner_id:
                    cases.message_subscribe(partner_ids=user.partner_id.ids)
            for case in new_cases:
                results[case.partner_id.id]["case_id"] = case.id
                notes[case.partner_id.id].append(
                    env._("Collection case %(case)s opened.", case=case.name)
                )

    @api.model
    def _escalation_write_logs(self, run):
        """The unique (invoice, level) log rows of the batch: the run's memory, written in one statement."""
        plans = run.plans
        today = run.today
        notes = run.notes
        results = run.results
        batch = run.batch
        # statement: a first run over an imported ledger writes tens of thousands.
        columns = defaultdict(list)
        for pid, rows in batch:
            plan = plans[pid]
            result = results[pid]
            result_text = " ".join(notes[pid])
            for move_id, level_id, days, residual in rows:
                columns["partner_id"].append(pid)
                columns["move_id"].append(move_id)
                columns["level_id"].append(level_id)
                columns["days_overdue"].append(days)
                columns["amount_residual"].append(residual)
                columns["skipped"].append(plan.top_level_by_move[move_id] != level_id)
                for flag in (
                    "email_sent",
                    "activity_salesperson",
                    "activity_manager",
                    "warning_set",
                    "hold_set",
                ):
                    columns[flag].append(bool(result.get(flag)))
                columns["case_id"].append(result.get("case_id"))
                columns["letter_id"].append(result.get("letter_id"))
                columns["result"].append(result_text)
        self._insert_logs(columns, today)

    @api.model
    def _escalation_post_notes(self, run):
        """One note per customer in its chatter."""
        env = run.env
        company = run.env.company
        Level = run.env["customer.credit.escalation.level"]
        plans = run.plans
        partners = run.partners
        moves = run.moves
        notes = run.notes
        batch = run.batch
        bodies = {}
        for pid, rows in batch:
            reached = [row for row in rows if plans[pid].top_level_by_move[row[0]] == row[1]]
            items = Markup("").join(
                Markup("<li>%s</li>")
                % env._(
                    "%(invoice)s: %(days)s days overdue, %(amount)s due, level %(level)s",
                    invoice=moves.browse(move_id).name,
                    days=days,
                    amount=self._amount(residual, company),
                    level=Level.browse(level_id).code,
                )
                for move_id, level_id, days, residual in reached[:NOTE_MAX_INVOICES]
            )
            if len(reached) > NOTE_MAX_INVOICES:
                items += Markup("<li>%s</li>") % env._(
                    "and %(count)s more invoices (see the escalation log)",
                    count=len(reached) - NOTE_MAX_INVOICES,
                )
            bodies[pid] = Markup("<p><strong>%s</strong></p><ul>%s</ul><p>%s</p>") % (
                env._("Overdue escalation"),
                items,
                " ".join(notes[pid]) or env._("No action."),
            )
        partners._message_log_batch(bodies=bodies)

    @api.model
    def _insert_logs(self, columns, today):
        if not columns:
            return
        self.env.execute_query(
            SQL(
                """
                INSERT INTO customer_credit_escalation_log (
                    company_id, date, create_uid, create_date, write_uid, write_date,
                    partner_id, move_id, level_id, days_overdue, amount_residual, skipped,
                    email_sent, activity_salesperson, activity_manager, warning_set, hold_set,
                    case_id, letter_id, result)
                SELECT %(company)s, %(today)s, %(uid)s, NOW() AT TIME ZONE 'UTC',
                       %(uid)s, NOW() AT TIME ZONE 'UTC', r.*
                  FROM unnest(%(partner_id)s::int[], %(move_id)s::int[], %(level_id)s::int[],
                              %(days_overdue)s::int[], %(amount_residual)s::numeric[],
                              %(skipped)s::bool[], %(email_sent)s::bool[],
                              %(activity_salesperson)s::bool[], %(activity_manager)s::bool[],
                              %(warning_set)s::bool[], %(hold_set)s::bool[],
                              %(case_id)s::int[], %(letter_id)s::int[],
                              %(result)s::varchar[]) AS r
                """,
                company=self.env.company.id,
                today=today,
                uid=self.env.uid,
                **columns,
            )
        )

    @api.model
    def _activity_vals(self, model_id, activity_type, res_id, user, today, summary, note):
        return {
            "res_model_id": model_id,
            "res_id": res_id,
            "activity_type_id": activity_type.id,
            "user_id": user.id,
            "date_deadline": today,
            "summary": summary,
            "note": escape(note),
            "automated": True,
        }

    @api.model
    def _threshold_days(self, flag):
        levels = self.env["customer.credit.escalation.level"].search(
            [("company_id", "=", self.env.company.id), (flag, "=", True)], order="days", limit=1
        )
        return max(levels.days, 1) if levels else 1

    @api.model
    def _partners_cleared(self, field_name, days, today, partners=None):
        """Customers flagged with ``field_name`` in the current company (of ``partners``
        when given) that have no open receivable, not in dispute, overdue by ``days``
        days or more."""
        company = self.env.company
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model(["credit_dispute"])
        self.env["res.partner"].flush_model([field_name, "commercial_partner_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT rp.id
                  FROM res_partner rp
                 WHERE (rp.%(field)s ->> %(company_key)s)::boolean IS TRUE
                   AND %(only)s
                   AND NOT EXISTS (
                        SELECT 1
                          FROM account_move_line aml
                          JOIN res_partner p2 ON p2.id = aml.partner_id
                         WHERE p2.commercial_partner_id = rp.id
                           AND aml.company_id = %(company)s
                           AND %(receivable)s
                           AND COALESCE(aml.date_maturity, aml.date) <= %(cutoff)s)
                """,
                field=SQL.identifier(field_name),
                company_key=str(company.id),
                only=SQL("rp.id = ANY(%s)", partners.ids) if partners is not None else SQL("TRUE"),
                company=company.id,
                cutoff=fields.Date.subtract(today, days=days),
                receivable=CHASED_LINE_FILTER,
            )
        )
        return self.env["res.partner"].browse([row[0] for row in rows]).with_company(company)

    @api.model
    def _escalation_release(self, today, partners=None):
        """Lift the holds and warnings the escalation set, once the customer has no
        invoice (not in dispute) overdue beyond the level that set them. Manual holds
        are never touched. ``partners``: only these customers (a dispute was opened)."""
        cleared_hold = self._partners_cleared(
            "credit_hold_auto", self._threshold_days("action_credit_hold"), today, partners
        )
        released = cleared_hold.filtered("credit_hold")
        stale = cleared_hold - released
        if stale:
            stale.write({"credit_hold_auto": False})
        if released:
            released.write({"credit_hold": False, "credit_hold_auto": False})
            released._message_log_batch(
                bodies=dict.fromkeys(
                    released.ids,
                    Markup("<p>%s</p>")
                    % self.env._("Overdue debt cleared: the automatic credit hold is released."),
                )
            )
        cleared = self._partners_cleared(
            "credit_warning", self._threshold_days("action_set_warning"), today, partners
        )
        if cleared:
            cleared.write({"credit_warning": False})
            cleared._message_log_batch(
                bodies=dict.fromkeys(
                    cleared.ids,
                    Markup("<p>%s</p>")
                    % self.env._("Overdue debt cleared: the credit warning is lifted."),
                )
            )
        return released

    @api.model
    def _escalation_reinstate(self, moves, today):
        """A dispute was lifted: the warning and the automatic hold of the levels these
        invoices had reached (logged, and still reached by their days overdue) apply
        again. Levels reached during the dispute are applied by the next run."""
        Log = self.env["customer.credit.escalation.log"]
        levels = self.env["customer.credit.escalation.level"]._level_specs()
        logs = Log.search([("move_id", "in", moves.ids), ("level_id", "in", list(levels))])
        batch = defaultdict(list)
        for log in logs:
            move = log.move_id
            due = move.invoice_date_due or move.date
            if move.amount_residual > 0 and levels[log.level_id.id].days <= (today - due).days:
                batch[log.partner_id.id].append((move.id, log.level_id.id))
        if not batch:
            return
        partners = self.env["res.partner"].browse(list(batch))
        run = EscalationRun(
            env=self.env,
            batch=list(batch.items()),
            levels=levels,
            today=today,
            partners=partners,
            moves=moves,
            plans={pid: plan_partner_actions(pid, pairs, levels) for pid, pairs in batch.items()},
            managers_by_partner={},
            notes=defaultdict(list),
            results=defaultdict(dict),
        )
        self._escalation_set_status(run)
        bodies = {
            pid: Markup("<p><strong>%s</strong></p><p>%s</p>")
            % (self.env._("Invoice dispute lifted"), " ".join(notes))
            for pid, notes in run.notes.items()
        }
        if bodies:
            partners._message_log_batch(bodies=bodies)

    @api.model
    def _collection_cases_follow_up(self, today):
        """Close the cases whose invoices are paid; mark kept and broken promises."""
        Case = self.env["customer.credit.collection.case"]
        self.env["account.move"].flush_model(["amount_residual"])
        Case.flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT c.id
                  FROM customer_credit_collection_case c
                 WHERE c.company_id = %(company)s AND c.is_closed IS NOT TRUE
                   AND (c.promise_state = 'pending'
                        OR NOT EXISTS (
                            SELECT 1 FROM customer_credit_collection_case_move_rel rel
                              JOIN account_move am ON am.id = rel.move_id
                             WHERE rel.case_id = c.id AND am.amount_residual != 0))
                """,
                company=self.env.company.id,
            )
        )
        closed_ids = set()

        def follow_up(case):
            if case._close_if_paid():
                closed_ids.add(case.id)
            else:
                case._check_promises(today)

        done = self._run_isolated(
            self.env._("Follow up collection cases"),
            Case.browse([row[0] for row in rows]),
            follow_up,
        )
        return done.filtered(lambda case: case.id in closed_ids)
