"""Administration of the routing configuration (admins only): the Agents, Queues and Teams pages
and their API, every change audited and published to the running routers."""
