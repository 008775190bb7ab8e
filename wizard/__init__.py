from . import credit_release_request
from . import credit_release_decision
