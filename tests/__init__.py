from . import test_grade
from . import test_scorecard_math
from . import test_credit_evaluation
from . import test_credit_limit_request
from . import test_credit_agreement
