from . import customer_credit_aging_xlsx
