from . import test_grade
from . import test_escalation
from . import test_collection_case
from . import test_watchlist
from . import test_scheduled_checks
