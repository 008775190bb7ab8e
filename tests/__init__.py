from . import test_grade
from . import test_credit_check
from . import test_sale_credit
from . import test_credit_release
from . import test_credit_tour
from . import test_credit_portal
from . import test_credit_race
