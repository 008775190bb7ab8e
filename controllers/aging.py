from psycopg2.errors import ReadOnlySqlTransaction

from odoo import http
from odoo.http import content_disposition
from odoo.http import request

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def serve_on_primary(reason):
    """Leave a read-only transaction (a replica's, with ``db_replica_host``) for the
    primary: Odoo serves the request again in a read-write transaction."""
    raise ReadOnlySqlTransaction(reason)


class CustomerCreditAgingController(http.Controller):
    @http.route(
        "/customer_credit/aging/<int:report_id>/xlsx", type="http", auth="user", readonly=True
    )
    def aging_xlsx(self, report_id, **kwargs):
        """Download a receivable aging run as XLSX (only its owner can: transient).

        Read-only: with ``db_replica_host`` a replica serves it. Computing the run writes:
        the wizard's buttons do it (a read-write call) before they send here. A run not
        computed yet, or not yet replayed on the replica, is served by the primary.
        """
        report = request.env["customer.credit.aging.report"].browse(report_id).exists()
        if request.env.cr.readonly and (not report or report.sudo().state != "done"):
            serve_on_primary(f"aging run {report_id} is not computed on this database yet")
        if not report:
            raise request.not_found()
        report.check_access("read")
        content = report._generate_xlsx()
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Length", len(content)),
                ("Content-Disposition", content_disposition(report._xlsx_filename())),
            ],
        )
