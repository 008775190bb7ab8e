from . import test_exposure
from . import test_grade
from . import test_profile
from . import test_i18n
from . import test_aging
from . import test_aging_buckets
