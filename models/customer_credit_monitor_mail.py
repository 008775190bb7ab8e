"""The reminder emails of the overdue escalation, made in batches.

Odoo's ``mail.template.send_mail_batch`` wraps each rendered reminder in the email
layout and stores the wrapped email as the chatter message too, sanitised three times
(the message's column, its cache, the email's own copy of the inherited body): on the
10M-line bench that was the larger part of an ordinary day's cost. Here the chatter
message holds the reminder itself (sanitised once, as any message), and the email the
same reminder in the same layout, byte for byte what Odoo sends (tested against
``send_mail_batch``).
"""

import logging

from odoo import Command
from odoo import api
from odoo import models
from odoo.tools import is_html_empty
from odoo.tools import split_every

_logger = logging.getLogger(__name__)

# The layout of the reminder emails (Odoo's light notification).
EMAIL_LAYOUT = "mail.mail_notification_light"

# What ``send_mail_batch`` renders from a template.
RENDERED_FIELDS = (
    "attachment_ids",
    "auto_delete",
    "body_html",
    "email_cc",
    "email_from",
    "email_to",
    "mail_server_id",
    "model",
    "partner_to",
    "reply_to",
    "report_template_ids",
    "res_id",
    "scheduled_date",
    "subject",
)
# Of the rendered values, those of the email itself (the others are its message's).
MAIL_ONLY_FIELDS = ("auto_delete", "email_cc", "email_to", "scheduled_date")


class CustomerCreditMonitor(models.AbstractModel):
    _inherit = "customer.credit.monitor"

    @api.model
    def _escalation_reminder_mails(self, template, partners):
        """The emails of ``template`` to ``partners`` (in their order), queued as
        ``send_mail_batch`` queues them, in Odoo's light layout."""
        template._send_check_access(partners.ids)
        # in chunks of Odoo's own size: a template's reports are rendered per chunk
        size = int(self.env["ir.config_parameter"].sudo().get_param("mail.batch_size") or 0)
        mails = self.env["mail.mail"]
        for chunk in split_every(size or 50, partners.ids, partners.browse):
            mails |= self._escalation_reminder_chunk(template, chunk)
        return mails

    @api.model
    def _escalation_reminder_chunk(self, template, partners):
        pids = partners.ids
        rendered = template._generate_template(pids, RENDERED_FIELDS)
        langs = template._render_lang(pids) if template.lang else {}
        companies = partners._mail_get_companies(default=self.env.company)
        message_values, mail_values, reports = [], [], []
        for partner in partners:
            values = dict(rendered[partner.id])
            reports.append(values.pop("attachments", None) or [])
            recipients = [Command.link(pid) for pid in values.pop("partner_ids", None) or []]
            attachments = [Command.link(aid) for aid in values.pop("attachment_ids", None) or []]
            if "email_from" in values and not values["email_from"]:
                values.pop("email_from")  # Odoo's protection against a void sender
            body = values.pop("body_html", None) or ""
            mail = {name: values.pop(name) for name in MAIL_ONLY_FIELDS if name in values}
            message_values.append(
                dict(
                    values,
                    message_type="email_outgoing",
                    body=body,
                    partner_ids=recipients,
                    attachment_ids=attachments,
                )
            )
            mail_values.append(
                dict(
                    mail,
                    is_notification=False,
                    recipient_ids=recipients,
                    body_html=self._escalation_email_layout(
                        template, body, partner, langs.get(partner.id), companies[partner.id]
                    ),
                )
            )
        messages = self.env["mail.message"].sudo().create(message_values)
        mails = (
            self.env["mail.mail"]
            .sudo()
            .create(
                [
                    dict(values, mail_message_id=message.id)
                    for message, values in zip(messages, mail_values, strict=True)
                ]
            )
        )
        for mail, documents in zip(mails, reports, strict=True):
            if documents:  # the template's reports, on the message as Odoo puts them
                mail.with_context(default_type=None).write(
                    {
                        "attachment_ids": [
                            Command.create(
                                {
                                    "name": name,
                                    "datas": datas,
                                    "type": "binary",
                                    "res_model": "mail.message",
                                    "res_id": mail.mail_message_id.id,
                                }
                            )
                            for name, datas in documents
                        ]
                    }
                )
        return mails

    @api.model
    def _escalation_email_layout(self, template, body, partner, lang, company):
        """The reminder ``body`` (as rendered) in Odoo's light notification layout, as
        ``send_mail_batch`` wraps it, in the template's language ``lang`` and the
        customer's ``company``."""
        ir_model = self.env["ir.model"]._get(template.model)
        if lang:
            ir_model = ir_model.with_context(lang=lang)
        wrapped = ir_model.env["ir.qweb"]._render(
            EMAIL_LAYOUT,
            {
                # the rendered reminder as is, as Odoo gives it (not a sanitised copy)
                "message": self.env["mail.message"]
                .sudo()
                .new({"body": body, "record_name": partner.display_name}),
                "subtype": self.env["mail.message.subtype"].sudo(),
                "model_description": ir_model.display_name,
                "record": partner,
                "record_name": False,
                "subtitles": False,
                "company": company,
                "email_add_signature": False,
                "signature": "",
                "website_url": "",
                "is_html_empty": is_html_empty,
            },
            minimal_qcontext=True,
            raise_if_not_found=False,
        )
        if not wrapped:
            _logger.warning(
                "QWeb template %s not found when sending template %s. Sending without layout.",
                EMAIL_LAYOUT,
                template.name,
            )
            return body
        return self.env["mail.render.mixin"]._replace_local_links(wrapped)
