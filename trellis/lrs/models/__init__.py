"""LRS models, one module per part: clients (credentials), statements, documents, progress."""

from trellis.lrs.models.clients import LrsClient
from trellis.lrs.models.documents import *  # noqa: F403
from trellis.lrs.models.progress import *  # noqa: F403
from trellis.lrs.models.statements import *  # noqa: F403

__all__ = ["LrsClient"]
