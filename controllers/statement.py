from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import Forbidden
from werkzeug.exceptions import NotFound

from odoo import fields
from odoo import http
from odoo.http import content_disposition
from odoo.http import request

from .aging import XLSX_MIMETYPE

STATEMENT_GROUPS = ("account.group_account_invoice", "customer_credit.group_credit_manager")


class CustomerCreditStatementController(http.Controller):
    @http.route(
        "/customer_credit/statement/<int:partner_id>/xlsx", type="http", auth="user", readonly=True
    )
    def statement_xlsx(self, partner_id, date_from=None, date_to=None, **kwargs):
        """A customer's statement as XLSX, for accountants and credit managers, for the
        period ``date_from``..``date_to`` (both required; the wizard's Download XLSX).

        Read-only: with ``db_replica_host`` a replica serves it."""
        user = request.env.user
        if not any(user.has_group(group) for group in STATEMENT_GROUPS):
            raise Forbidden()
        partner = request.env["res.partner"].browse(partner_id).exists()
        if not partner:
            raise NotFound()
        partner.check_access("read")
        try:
            start, end = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        except ValueError:
            start = end = None
        if not start or not end or start > end:
            # a bad address, not a missing page: say what the period must be
            raise BadRequest(
                request.env._(
                    "Give the statement period as date_from and date_to (YYYY-MM-DD), "
                    "the first not after the second."
                )
            )
        filename, content = partner.commercial_partner_id._credit_statement_xlsx(start, end)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Length", len(content)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )
