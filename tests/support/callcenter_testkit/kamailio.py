"""Debian's Kamailio as the browser phone's SIP server in tests: registrar and proxy over
WebSocket (ws://, no TLS) on a loopback port, with digest authentication of REGISTER against
the passwords the test gives. Started and stopped by pid; its log is kept for the test to read.

It stands in for Asterisk's PJSIP WebSocket transport: the browser phone registers, is called
and holds, mutes and hangs up exactly as it would with Asterisk, while the media flows between
the two browsers (ICE on loopback, DTLS-SRTP). Like an AOR with ``remove_existing = yes``, a new
registration replaces the user's previous contact (``save`` flag 0x04).
"""

from __future__ import annotations

import glob
import shutil
import socket
import subprocess
import time
from pathlib import Path

BINARY = shutil.which("kamailio") or "/usr/sbin/kamailio"
MODULES = sorted(glob.glob("/usr/lib/*/kamailio/modules"))

CONFIG = r"""#!KAMAILIO
debug=2
log_stderror=yes
children=2
tcp_children=2
auto_aliases=no
listen=tcp:127.0.0.1:{port}
alias="{domain}"
tcp_accept_no_cl=yes
tcp_connection_lifetime=3605
mpath="{modules}/"

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "auth.so"
loadmodule "nathelper.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"

modparam("nathelper|registrar", "received_avp", "$avp(RECEIVED)")
modparam("registrar", "max_expires", 3600)

request_route {{
	if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
	# a WebSocket client's Contact is unroutable (*.invalid): reach it over its connection
	if (nat_uac_test(64)) {{
		force_rport();
		if (is_method("REGISTER")) {{
			fix_nated_register();
		}} else if (!add_contact_alias()) {{
			sl_send_reply("400", "Bad Request");
			exit;
		}}
	}}
	if (has_totag()) {{
		if (loose_route()) {{
			if (!isdsturiset()) handle_ruri_alias();
			route(RELAY);
			exit;
		}}
		if (is_method("ACK")) {{
			if (t_check_trans()) t_relay();
			exit;
		}}
		sl_send_reply("404", "Not here");
		exit;
	}}
	if (is_method("CANCEL")) {{
		if (t_check_trans()) route(RELAY);
		exit;
	}}
	t_check_trans();
	if (is_method("REGISTER")) {{
{passwords}
		if ($var(password) == "" || !pv_auth_check("$fd", "$var(password)", "0", "1")) {{
			auth_challenge("$fd", "0");
			exit;
		}}
		consume_credentials();
		if (!save("location", "0x04")) sl_reply_error();
		exit;
	}}
	if (is_method("INVITE")) record_route();
	if (!lookup("location")) {{
		sl_send_reply("404", "Not Found");
		exit;
	}}
	route(RELAY);
}}

route[RELAY] {{
	t_on_reply("REPLY");
	if (!t_relay()) sl_reply_error();
}}

onreply_route[REPLY] {{
	if (nat_uac_test(64)) add_contact_alias();
}}

event_route[xhttp:request] {{
	set_reply_close();
	set_reply_no_connect();
	if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {{
		if (ws_handle_handshake()) exit;
	}}
	xhttp_reply("404", "Not Found", "", "");
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def available() -> bool:
    return Path(BINARY).exists() and any(Path(m, "websocket.so").exists() for m in MODULES)


class Kamailio:
    """One Kamailio on ``127.0.0.1:port`` (the same port across restarts)."""

    def __init__(self, workdir: Path, users: dict[str, str], domain: str) -> None:
        self.workdir = workdir
        self.users = users
        self.domain = domain
        self.port = free_port()
        self.log_path = workdir / "kamailio.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def config(self) -> str:
        lines = ['\t\t$var(password) = "";']
        for user, password in self.users.items():
            lines.append(f'\t\tif ($au == "{user}") $var(password) = "{password}";')
        return CONFIG.format(
            port=self.port, domain=self.domain, modules=MODULES[-1], passwords="\n".join(lines)
        )

    def start(self, wait_s: float = 15.0) -> None:
        cfg = self.workdir / "kamailio.cfg"
        cfg.write_text(self.config())
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [BINARY, "-f", str(cfg), "-DD", "-E", "-m", "32", "-M", "8"]
                + ["-Y", str(self.workdir), "-w", str(self.workdir)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + wait_s
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kamailio exited {self.proc.returncode}: {self.log_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"kamailio not listening: {self.log_tail()}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM to the main process, which stops its children; SIGKILL if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, n: int = 20) -> str:
        return "\n".join(self.log_text().splitlines()[-n:])
