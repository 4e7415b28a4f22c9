"""Discovery models, one module per area; each area adds a ``from .x import *  # noqa`` line."""

from .personalization import *  # noqa: F403
from .search import *  # noqa: F403
