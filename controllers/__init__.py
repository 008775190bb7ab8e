from . import aging
from . import portal
from . import statement
