from . import test_exposure
from . import test_grade
from . import test_profile
