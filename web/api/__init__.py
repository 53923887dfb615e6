"""The JSON API: ``API`` collects the endpoints declared in the modules below."""

from web.api.registry import Api

API = Api()


def load_endpoints() -> Api:
    """Import the endpoint modules (each registers on ``API`` once)."""
    from web.api import agent, calls, phone, session, supervisor  # noqa: F401

    return API
