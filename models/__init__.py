from . import credit_exposure
from . import customer_credit_grade
from . import res_company
from . import res_config_settings
from . import res_partner
from . import customer_credit_aging_bucket
from . import customer_credit_aging_item
from . import customer_credit_aging_line
