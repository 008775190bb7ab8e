from . import test_grade
from . import test_aging
from . import test_aging_buckets
