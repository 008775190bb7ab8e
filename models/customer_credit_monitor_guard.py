"""One failing record never rolls back the others: the scheduled jobs of the addon (and
the reconciliation hook) run their records through ``_run_isolated``."""

import logging

from odoo import api
from odoo import fields
from odoo import models

_logger = logging.getLogger(__name__)


class CustomerCreditMonitor(models.AbstractModel):
    _inherit = "customer.credit.monitor"

    @api.model
    def _run_isolated(self, job, records, action):
        """Call ``action(record)`` for each of ``records``, each in its own savepoint.

        A record that fails is rolled back alone, logged as a warning and reported to a
        credit manager by an activity; the job goes on with the next record.

        :param job: the job's name, as a credit manager reads it (translated);
        :param records: the records to process, one at a time;
        :param action: a callable taking one record;
        :return: the records processed without error.
        """
        done_ids = []
        for record in records:
            try:
                with self.env.cr.savepoint():
                    action(record)
            except Exception as error:  # noqa: BLE001 - isolate the record that fails
                self._report_job_failure(job, record, error)
            else:
                done_ids.append(record.id)
        return records.browse(done_ids)

    @api.model
    def _report_job_failure(self, job, record, error):
        """Log the failure of ``job`` on ``record`` and schedule a to-do for the record's
        credit manager (else the company's first credit manager)."""
        try:
            name = record.sudo().display_name
        except Exception:  # noqa: BLE001 - the name only helps the reader of the log
            name = ""
        _logger.warning("'%s' failed for %r %s: %s", job, record, name, error)
        try:
            with self.env.cr.savepoint():
                record = record.sudo()
                company = self.env.company
                if record._name == "res.company":
                    company = record
                elif "company_id" in record._fields and record.company_id:
                    company = record.company_id
                partner = self.env["res.partner"]
                if record._name == "res.partner":
                    partner = record
                elif "partner_id" in record._fields:
                    partner = record.partner_id
                monitor = self.sudo().with_company(company)
                if partner:
                    managers = monitor._credit_managers_by_partner(partner)[partner.id]
                else:
                    managers = monitor._company_credit_managers()
                target = record if hasattr(record, "activity_schedule") else partner
                if not target:
                    return
                target.with_company(company).activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=fields.Date.context_today(self),
                    user_id=managers[:1].id or self.env.uid,
                    summary=self.env._("Credit automation failed: %(job)s", job=job),
                    note=self.env._(
                        "'%(job)s' could not process %(record)s: %(error)s",
                        job=job,
                        record=record.display_name,
                        error=str(error) or type(error).__name__,
                    ),
                )
        except Exception as report_error:  # noqa: BLE001 - the job must go on
            _logger.warning(
                "Could not report the failure of job '%s' on %r: %s", job, record, report_error
            )
