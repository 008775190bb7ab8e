from . import customer_credit_aging_report
from . import customer_credit_refuse_wizard
from . import credit_release_decision, credit_release_request
from . import base_partner_merge
from . import customer_credit_invoice_follow_up
from . import customer_credit_statement_wizard
