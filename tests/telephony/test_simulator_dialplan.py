"""The simulator's contract contexts run the same priorities as config/asterisk/extensions.conf."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from telephony.simulator.dialplan import contract_dialplan
from telephony.simulator.model import Channel

CONF = Path(__file__).parents[2] / "config" / "asterisk"
CONTRACT = (
    "cc-inbound",
    "cc-hold",
    "cc-connect",
    "cc-announce",
    "cc-onhold",
    "cc-transfer-out",
    "cc-consult",
    "cc-consult-out",
    "cc-survey",
)
LINE = re.compile(r"^\s*(exten|same)\s*=>\s*(.*)$")


def parse_extensions(text: str) -> dict[tuple[str, str], list[tuple[str, str | None]]]:
    """(context, exten) -> [(application, label)] in priority order (a minimal conf reader)."""
    plan: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
    context = ""
    key: tuple[str, str] | None = None
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and "]" in line:
            context = line[1 : line.index("]")]
            continue
        m = LINE.match(line)
        if not m:
            continue
        kind, rest = m.groups()
        if kind == "exten":
            exten, prio, app = rest.split(",", 2)
            key = (context, exten.strip())
            plan[key] = []
        else:
            prio, app = rest.split(",", 1)
        assert key is not None
        label_match = re.match(r"^\s*(?:\d+|n)\((\w+)\)", prio)
        label = label_match.group(1) if label_match else None
        plan[key].append((app.split("(", 1)[0].strip(), label))
    return plan


def test_conf_and_simulator_have_the_same_priorities() -> None:
    conf = parse_extensions((CONF / "extensions.conf").read_text())
    sim = contract_dialplan({"5000": "sales"}, "sales")
    for context in CONTRACT:
        conf_extens = {e for c, e in conf if c == context}
        sim_extens = {e.pattern for e in sim.contexts[context]}
        assert conf_extens == sim_extens, context
        for ext in sim.contexts[context]:
            want = conf[(context, ext.pattern)]
            got = [(step.app, step.label) for step in ext.steps]
            assert got == want, (context, ext.pattern)


@pytest.mark.parametrize(
    "name",
    [
        "extensions.conf",
        "manager.conf",
        "pjsip.conf",
        "musiconhold.conf",
        "pjsip_notify.conf",
        "features.conf",
    ],
)
def test_conf_files_are_present_and_commented(name: str) -> None:
    text = (CONF / name).read_text()
    assert text.lstrip().startswith(";"), f"{name} opens with a comment saying what it is for"
    sections = re.findall(r"^\[([^\]]+)\]", text, flags=re.M)
    assert sections, name


def test_manager_conf_allows_what_the_bridge_sends() -> None:
    text = (CONF / "manager.conf").read_text()
    read = re.search(r"^read\s*=\s*(.+)$", text, flags=re.M)
    write = re.search(r"^write\s*=\s*(.+)$", text, flags=re.M)
    assert read and write
    assert {"call", "dialplan", "user"} <= set(read.group(1).split(","))
    # system: PJSIPNotify (answer from the dashboard)
    assert {"call", "originate", "reporting", "system"} <= set(write.group(1).split(","))


def test_connect_dials_with_transfer_rights_and_features_conf_has_the_codes() -> None:
    """Consult needs Dial option t on the agent's leg and the atxfer code (capture 22: without
    t, Atxfer is "queued" and only sends tones); conference needs atxferthreeway. The shipped
    files and the simulator say the same."""
    conf = (CONF / "extensions.conf").read_text()
    dial = re.search(r"^\[cc-connect\].*?^ same => n,Dial\(([^\n]*)\)$", conf, flags=re.M | re.S)
    assert dial and dial.group(1).split(",")[-1] == "tg"  # g: the post-call survey
    features = (CONF / "features.conf").read_text()
    assert re.search(r"^atxfer => \*2", features, flags=re.M)
    assert re.search(r"^atxferthreeway => \*3", features, flags=re.M)
    sim = contract_dialplan({"5000": "sales"}, "sales")
    step = sim.step("cc-connect", "1001", 4)
    leg = Channel("Local/x@y-1;1", "1.1", "1.1", 0.0, "cc-connect", "1001")
    assert step is not None and step.app == "Dial" and step.data(leg) == "PJSIP/1001,15,tg"


@pytest.mark.parametrize(
    ("pattern", "exten", "matches"),
    [
        ("_X.", "5000", True),
        ("_X.", "5", False),  # "." needs at least one more character
        ("_1XXX", "1009", True),
        ("_1XXX", "10090", False),
        ("_+X.", "+8613800000001", True),
        ("_NXX", "199", False),
        ("s", "s", True),
        ("_[0-9a-zA-Z].", "a1", True),
        ("_[0-9a-zA-Z].", "1001", True),
        ("_[0-9a-zA-Z].", "h", False),
        ("_[0-9a-zA-Z].", "_x", False),
        ("_1[0-2]X", "115", True),
        ("_1[0-2]X", "135", False),
    ],
)
def test_pattern_matching(pattern: str, exten: str, matches: bool) -> None:
    from telephony.simulator.dialplan import Extension

    assert Extension(pattern, ()).matches(exten) is matches


def _dial_options(conf_line: str) -> str:
    """The third argument of ``Dial(target,timeout,options)`` (the target has no commas
    outside ``${IF(...)}``, which has none)."""
    args = conf_line.split("Dial(", 1)[1].rsplit(")", 1)[0].split(",")
    return args[2] if len(args) > 2 else ""


def test_connect_dials_with_g_and_sends_a_surveyed_caller_to_cc_survey() -> None:
    """Dial ``g`` on both sides: the caller outlives an agent who hangs up (capture 25), and
    with ``CC_SURVEY=1`` goes to cc-survey; without it it is hung up."""
    from telephony.simulator.model import Channel

    text = (CONF / "extensions.conf").read_text()
    [dial_line] = [
        line for line in text.splitlines() if "Dial(" in line and "CC_AGENT_ENDPOINT" in line
    ]
    assert "g" in _dial_options(dial_line)
    sim = contract_dialplan({"5000": "sales"}, "sales")
    ch = Channel("PJSIP/trunk-1", "1.1", "1.1", 0.0, "cc-connect", "1001")
    connect = sim.find("cc-connect", "1001")
    assert connect is not None
    [dial] = [s for s in connect.steps if s.app == "Dial"]
    assert "g" in dial.data(ch).split(",")[2]
    [survey_if] = [s for s in connect.steps if s.label == "done"]
    assert 'GotoIf($["${CC_SURVEY}" = "1"]?cc-survey,s,1)' in text
    assert survey_if.data(ch) == "0?cc-survey,s,1"
    ch.variables["CC_SURVEY"] = "1"
    assert survey_if.data(ch) == "1?cc-survey,s,1"
    read = sim.step("cc-survey", "s", 2)
    assert read is not None and read.app == "Read"
    assert read.data(ch).startswith("CC_SURVEY_SCORE,")
    assert "Read(CC_SURVEY_SCORE,${CC_SURVEY_PROMPT},1,,1,10)" in text
