from . import customer_credit_refuse_wizard
