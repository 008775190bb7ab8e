from . import credit_release_decision
from . import credit_release_request
from . import customer_credit_aging_report
from . import customer_credit_refuse_wizard
