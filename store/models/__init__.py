"""All tables of the call-event store, registered on one ``Base.metadata``.

Each area declares its tables in its own module; importing this package imports them all (Alembic
and the tests rely on that).
"""

from store.models import core  # noqa: F401
from store.models import customers  # noqa: F401
from store.models import qa  # noqa: F401
from store.models import web  # noqa: F401
from store.models import workspaces  # noqa: F401
from store.models import workforce  # noqa: F401
from store.models.base import Base

__all__ = ["Base"]
