from odoo import http
from odoo.http import content_disposition
from odoo.http import request

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CustomerCreditAgingController(http.Controller):
    @http.route("/customer_credit/aging/<int:report_id>/xlsx", type="http", auth="user")
    def aging_xlsx(self, report_id, **kwargs):
        """Download a receivable aging run as XLSX (only its owner can: transient)."""
        report = request.env["customer.credit.aging.report"].browse(report_id).exists()
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
