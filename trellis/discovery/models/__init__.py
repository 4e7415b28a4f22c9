"""Discovery models, one module per area; each area adds a ``from .x import *  # noqa`` line."""

from .paths import *  # noqa: F403
from .personalization import *  # noqa: F403
from .playlists import *  # noqa: F403
from .search import *  # noqa: F403
