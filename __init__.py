from . import models
from . import reports
from . import wizard
from . import controllers


def uninstall_hook(env):
    """Drop the functions the module created for its queries planned once per
    connection (``tools/cached_plans.py``)."""
    from .tools import cached_plans  # noqa: PLC0415

    cached_plans.uninstall(env.cr)
    cached_plans.forget(env)
