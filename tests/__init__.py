from . import test_grade
