"""Every test gets the test kit's fixtures (``tests/support/callcenter_testkit``): the test
services (Redis, SQLite, PostgreSQL) and the web application's fixtures."""

pytest_plugins = ["callcenter_testkit.services", "callcenter_testkit.web_fixtures"]
