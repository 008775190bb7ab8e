from . import credit_release_decision, credit_release_request
