from . import models
from . import reports
from . import wizard
from . import controllers


def uninstall_hook(env):
    """Drop the exposure ledger's triggers, functions and tables
    (``tools/exposure_ledger.py``) and the aging's indexes and first date of the matches
    (``tools/aging_sql.py``): nothing of the module keeps running in the database."""
    from .tools import aging_sql  # noqa: PLC0415
    from .tools import exposure_ledger  # noqa: PLC0415

    exposure_ledger.uninstall(env.cr)
    aging_sql.uninstall(env.cr)
