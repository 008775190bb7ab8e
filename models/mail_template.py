"""Reminder emails of a whole escalation batch rendered from one compiled template.

Odoo renders an inline QWeb body by compiling it again for every record. The overdue
escalation sends one template to up to hundreds of customers per batch: with the
context key ``credit_qweb_compile_once`` the body is compiled once per batch and
language, then evaluated per record with the same values Odoo gives it. Any doubt
(restricted rendering, a template without QWeb code, a rendering error) falls back to
Odoo's own per-record rendering, which also raises Odoo's usual errors.
"""

import logging

from lxml import html
from markupsafe import Markup

from odoo import api
from odoo import models
from odoo.tools import safe_eval

_logger = logging.getLogger(__name__)

# The private ir.qweb methods the compile-once rendering relies on (Odoo 18.0).
QWEB_PRIVATE_API = ("_prepare_environment", "_compile")


# The formatting helpers of the rendering context whose results a batch remembers.
MEMOIZED_HELPERS = ("format_date", "format_datetime", "format_time", "format_amount")


def _memo_key(value):
    """What tells two arguments apart: equal values of different types (1 and 1.0,
    a date and a datetime) or datetimes of different time zones (equal instants,
    different local dates) are different arguments."""
    return (type(value), getattr(value, "tzinfo", None), value)


def _memoized(function):
    """``function`` remembering its result per arguments (unhashable ones: not kept)."""
    results = {}

    def call(*args, **kwargs):
        try:
            key = (
                tuple(_memo_key(arg) for arg in args),
                tuple((name, _memo_key(arg)) for name, arg in sorted(kwargs.items())),
            )
            return results[key]
        except KeyError:
            results[key] = value = function(*args, **kwargs)
            return value
        except TypeError:
            return function(*args, **kwargs)

    return call


class MailTemplate(models.Model):
    _inherit = "mail.template"

    @api.model
    def _render_template_qweb(self, template_src, model, res_ids, add_context=None, options=None):
        if (
            not self.env.context.get("credit_qweb_compile_once")
            or not template_src
            or len(res_ids) < 2
            or not (self._unrestricted_rendering or self.env.is_admin())
            or not self._has_unsafe_expression_template_qweb(template_src, model)
        ):
            return super()._render_template_qweb(
                template_src, model, res_ids, add_context=add_context, options=options
            )
        missing = [name for name in QWEB_PRIVATE_API if not hasattr(self.env["ir.qweb"], name)]
        if missing:
            _logger.info(
                "Reminder bodies rendered per record by Odoo: ir.qweb has no %s here.",
                ", ".join(missing),
            )
            return super()._render_template_qweb(
                template_src, model, res_ids, add_context=add_context, options=options
            )
        try:
            return self._credit_render_compiled_once(
                template_src, model, res_ids, add_context, options
            )
        except Exception as error:  # noqa: BLE001 - Odoo's rendering reports the error properly
            _logger.info(
                "Reminder bodies rendered per record by Odoo: compile-once rendering failed "
                "(%s: %s).",
                type(error).__name__,
                error,
            )
            return super()._render_template_qweb(
                template_src, model, res_ids, add_context=add_context, options=options
            )

    @api.model
    def _credit_render_compiled_once(self, template_src, model, res_ids, add_context, options):
        variables = self._render_eval_context()
        # Same arguments, same text within one batch (one environment and language):
        # a reminder lists many invoices falling due on the same dates, in the same
        # currency, and each call looks the language up again.
        for name in MEMOIZED_HELPERS:
            if callable(variables.get(name)):
                variables[name] = _memoized(variables[name])
        if add_context:
            variables.update(**add_context)
        qweb = self.env["ir.qweb"].with_context(**(options or {}))
        render = None
        results = {}
        for record in self.env[model].browse(res_ids):
            values = dict(variables, object=record)
            prepared = qweb._prepare_environment(values)
            safe_eval.check_values(values)
            if render is None:
                functions, def_name = prepared._compile(
                    html.fragment_fromstring(template_src, create_parent="div")
                )
                render = functions[def_name]
            # Drop the <div> wrapping the fragment, as Odoo does.
            results[record.id] = Markup("".join(render(prepared, values)))[5:-6]
        return results
