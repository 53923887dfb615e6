"""The test kit: the pytest plugins every test directory gets (``services``: Redis, SQLite and
PostgreSQL started for the run; ``web_fixtures``: the application on a loopback port and
signed-in clients) and the helpers tests import by name (``callcenter_testkit.pbx_rig`` ...).

``pyproject.toml`` puts ``tests/support`` on the path (pytest's ``pythonpath``) and
``tests/conftest.py`` registers the plugins; tests are imported with ``--import-mode=importlib``,
so nothing else of ``tests/`` is importable and no test module shadows a package.
"""
