from . import customer_credit_aging_report
from . import customer_credit_refuse_wizard
