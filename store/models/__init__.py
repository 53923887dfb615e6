"""All tables of the call-event store, registered on one ``Base.metadata``.

Each area declares its tables in its own module; importing this package imports them all (Alembic
and the tests rely on that).
"""

from store.models import (  # noqa: F401 - imported to register their tables
    core,
    customers,
    qa,
    recordings,
    scripts,
    web,
    workforce,
    workspaces,
)
from store.models.base import Base

__all__ = ["Base"]
