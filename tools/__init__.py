"""Pure computations and SQL builders of customer_credit: no ORM, no models.

Each concept has one home here (the credit check, the exposure SQL, aging buckets and
SQL, scorecard maths, grade ranges, monitoring rules, payment history, amounts in words,
the decision chain); the models in ``models/`` gather the figures and call them.
"""
