from . import credit_exposure
from . import customer_credit_demo
from . import customer_credit_grade
from . import res_company
from . import res_config_settings
from . import res_partner
