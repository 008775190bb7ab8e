from . import test_grade
from . import test_credit_exposure_indexes
