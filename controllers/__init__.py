from . import aging
from . import portal
