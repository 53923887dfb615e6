"""The PBX simulator over real TCP on loopback: login, sessions, actions, PJSIP-style call flows.

The manual clock (``speed=None``) makes every flow deterministic and instant: the test moves
simulated time with ``sim.advance(seconds)``. One test runs the scaled clock for real.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from callcenter_testkit.ami_client import SECRET, USER, Ami, advance

from telephony.ami_frames import Frame
from telephony.simulator import Scenario, Simulator, second_run, start_simulator
from telephony.simulator.dialplan import contract_dialplan
from telephony.simulator.phones import Device
from telephony.simulator.traffic import AgentPhone, Dist, OutboundProfile, QueueTraffic


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    scenario = Scenario(
        queues=[QueueTraffic(queue="sales", did="5000"), QueueTraffic(queue="support", did="5001")],
        agents=[
            AgentPhone(agent_id="1001", answer_delay_s=Dist(mean=2), no_answer_p=0, hold_p=0),
            AgentPhone(agent_id="1002", no_answer_p=1.0, hold_p=0),
        ],
        unknown_endpoints_answer=False,
        outbound=OutboundProfile(ring_s=Dist(mean=2)),
    )
    async with start_simulator(
        scenario=scenario, username=USER, secret=SECRET, speed=None, traffic=False, epoch_s=1.8e9
    ) as s:
        yield s


async def inbound(
    sim: Simulator, ami: Ami, did: str = "5000", number: str = "+8613800000001"
) -> str:
    device = Device(kind="caller", cid_name="Alice", patience_s=600)
    ch = sim.engine.inbound_call(did, number, "Alice", device)
    await advance(sim, ami, 0.5)
    return ch.name


# ---------------------------------------------------------------------------- sessions


async def test_login_success_sends_fullybooted_then_successfulauth(sim: Simulator) -> None:
    ami = await Ami.connect(sim)
    response = await ami.login()
    await ami.settle()
    assert response.pairs == (
        ("Response", "Success"),
        ("ActionID", "t-1"),
        ("Message", "Authentication accepted"),
    )
    assert [f.event for f in ami.frames[1:3]] == ["FullyBooted", "SuccessfulAuth"]
    assert ami.frames[2]["UsingPassword"] == "0"


async def test_wrong_secret_is_refused_and_the_socket_closed(sim: Simulator) -> None:
    watcher = await Ami.connect(sim)
    await watcher.login()
    ami = await Ami.connect(sim)
    response = await ami.login("wrong")
    assert (response.response, response.get("Message")) == ("Error", "Authentication failed")
    rest = await asyncio.wait_for(ami.reader.read(), 2)
    assert rest == b""  # closed by the server, nothing more sent
    await watcher.settle()
    bad = watcher.events("InvalidPassword")
    assert len(bad) == 1 and bad[0]["SessionTV"] == "1970-01-01T00:00:00.000+0000"


async def test_actions_before_login_are_refused(sim: Simulator) -> None:
    ami = await Ami.connect(sim)
    response = await ami.action("Ping")
    assert (response.response, response.get("Message")) == ("Error", "Authentication Required")


async def test_ping_logoff_and_unknown_action(sim: Simulator) -> None:
    ami = await Ami.connect(sim)
    await ami.login()
    pong = await ami.action("Ping")
    assert pong.keys() == ["Response", "ActionID", "Ping", "Timestamp"]
    unknown = await ami.action("FooBarBaz")
    assert unknown.get("Message") == (
        "Invalid/unknown command: FooBarBaz. Use Action: ListCommands to show available commands."
    )
    await ami.settle()
    assert ami.events("RequestBadFormat", RequestType="Action: FooBarBaz")
    bye = await ami.action("Logoff")
    assert (bye.response, bye.get("Message")) == ("Goodbye", "Thanks for all the fish.")


async def test_every_logged_in_session_gets_the_events(sim: Simulator) -> None:
    one, two = await Ami.connect(sim), await Ami.connect(sim)
    await one.login()
    await two.login()
    name = await inbound(sim, one)
    await two.settle()
    for ami in (one, two):
        assert [f["Context"] for f in ami.events("MusicOnHoldStart", Channel=name)] == ["cc-hold"]


# ---------------------------------------------------------------------------- call flows


async def test_inbound_call_connected_to_a_pjsip_agent(sim: Simulator) -> None:
    ami = await Ami.connect(sim)
    await ami.login()
    caller = await inbound(sim, ami, "5001")
    assert ami.events("VarSet", Channel=caller, Variable="CC_QUEUE")[0]["Value"] == "support"
    assert (await ami.action("Getvar", ("Channel", caller), ("Variable", "CC_QUEUE")))[
        "Value"
    ] == "support"
    set_ok = await ami.action(
        "Setvar", ("Channel", caller), ("Variable", "CC_AGENT_ENDPOINT"), ("Value", "PJSIP/1001")
    )
    assert set_ok.get("Message") == "Variable Set"
    redirect = await ami.action(
        "Redirect",
        ("Channel", caller),
        ("Context", "cc-connect"),
        ("Exten", "1001"),
        ("Priority", "1"),
    )
    assert redirect.get("Message") == "Redirect successful"
    await advance(sim, ami, 3)
    begin = ami.events("DialBegin", Channel=caller)[0]
    agent = begin["DestChannel"]
    assert agent.startswith("PJSIP/1001-") and begin["DialString"] == "1001"
    assert [f["DialStatus"] for f in ami.events("DialEnd", Channel=caller)] == ["ANSWER"]
    assert {f["Channel"] for f in ami.events("BridgeEnter")} == {caller, agent}
    assert ami.events("Newstate", Channel=agent)[-1]["ChannelStateDesc"] == "Up"
    status = await ami.action("Status", ("Channel", caller), ("Variables", "CC_QUEUE,CC_AGENT"))
    await ami.settle()
    entry = ami.events("Status", Channel=caller)[0]
    assert entry.getall("Variable") == ["CC_QUEUE=support", "CC_AGENT=1001"]
    assert entry.keys()[-1] == "ActionID" and status.get("EventList") == "start"
    hangup = await ami.action("Hangup", ("Channel", caller), ("Cause", "16"))
    assert hangup.get("Message") == "Channel Hungup"
    await advance(sim, ami, 1)
    assert {f["Channel"] for f in ami.events("Hangup")} == {caller, agent}
    assert ami.events("BridgeDestroy")
    # PJSIP device states are cached: an event each time the endpoint's state changes
    assert [f["State"] for f in ami.events("DeviceStateChange", Device="PJSIP/1001")] == [
        "RINGING",
        "INUSE",
        "NOT_INUSE",
    ]
    assert [f["State"] for f in ami.events("DeviceStateChange", Device="PJSIP/trunk")] == [
        "INUSE",
        "NOT_INUSE",
    ]


async def test_agent_that_never_answers_sends_the_caller_back_to_hold(sim: Simulator) -> None:
    ami = await Ami.connect(sim)
    await ami.login()
    caller = await inbound(sim, ami)
    await ami.action(
        "Setvar", ("Channel", caller), ("Variable", "CC_RING_TIMEOUT_S"), ("Value", "8")
    )
    await ami.action(
        "Setvar", ("Channel", caller), ("Variable", "CC_AGENT_ENDPOINT"), ("Value", "PJSIP/1002")
    )
    await ami.action("Redirect", ("Channel", caller), ("Context", "cc-connect"), ("Exten", "1002"))
    await advance(sim, ami, 10)
    assert [f["DialStatus"] for f in ami.events("DialEnd", Channel=caller)] == ["NOANSWER"]
    agent = ami.events("DialBegin", Channel=caller)[0]["DestChannel"]
    assert [f["Cause"] for f in ami.events("Hangup", Channel=agent)] == ["0"]
    assert [f["Context"] for f in ami.events("MusicOnHoldStart", Channel=caller)] == [
        "cc-hold",
        "cc-hold",
    ]
    assert caller in sim.engine.channels


async def test_pjsipnotify_answers_like_res_pjsip_notify(sim: Simulator) -> None:
    """Responses as res_pjsip_notify's manager_notify writes them (Asterisk 18-22 source)."""
    ami = await Ami.connect(sim)
    await ami.login()
    talk = ("Variable", "Event=talk")
    ok = await ami.action("PJSIPNotify", ("Endpoint", "PJSIP/1001"), talk)
    assert (ok.response, ok.get("Message")) == ("Success", "NOTIFY sent")
    unknown = await ami.action("PJSIPNotify", ("Endpoint", "7777"), talk)
    assert (unknown.response, unknown.get("Message")) == (
        "Error",
        "Unable to retrieve endpoint 7777",
    )
    neither = await ami.action("PJSIPNotify", talk)
    assert neither.get("Message") == (
        "PJSIPNotify requires either an endpoint name, a SIP URI, or a channel."
    )
    both = await ami.action("PJSIPNotify", ("Endpoint", "1001"), ("URI", "sip:1001@x"), talk)
    assert both.get("Message", "").endswith("You must use only one of them.")
    gone = await ami.action("PJSIPNotify", ("Channel", "PJSIP/1001-deadbeef"), talk)
    assert (gone.response, gone.get("Message")) == ("Error", "Channel not found")


async def test_notify_talk_answers_a_ringing_phone(sim: Simulator) -> None:
    """1002 never answers by itself; told to (remote answer) it picks up and is bridged."""
    ami = await Ami.connect(sim)
    await ami.login()
    caller = await inbound(sim, ami)
    await ami.action(
        "Setvar", ("Channel", caller), ("Variable", "CC_AGENT_ENDPOINT"), ("Value", "PJSIP/1002")
    )
    await ami.action("Redirect", ("Channel", caller), ("Context", "cc-connect"), ("Exten", "1002"))
    await advance(sim, ami, 3)
    agent = ami.events("DialBegin", Channel=caller)[0]["DestChannel"]
    assert ami.events("Newstate", Channel=agent)[-1]["ChannelStateDesc"] == "Ringing"
    reply = await ami.action("PJSIPNotify", ("Endpoint", "1002"), ("Variable", "Event=talk"))
    assert reply.response == "Success"
    await advance(sim, ami, 1)
    assert ami.events("Newstate", Channel=agent)[-1]["ChannelStateDesc"] == "Up"
    assert [f["DialStatus"] for f in ami.events("DialEnd", Channel=caller)] == ["ANSWER"]
    assert ami.events("BridgeEnter", Channel=agent)


async def test_unknown_endpoint_is_chanunavail_and_the_caller_keeps_holding(sim: Simulator) -> None:
    ami = await Ami.connect(sim)
    await ami.login()
    caller = await inbound(sim, ami)
    await ami.action(
        "Setvar", ("Channel", caller), ("Variable", "CC_AGENT_ENDPOINT"), ("Value", "PJSIP/7777")
    )
    await ami.action("Redirect", ("Channel", caller), ("Context", "cc-connect"), ("Exten", "7777"))
    await advance(sim, ami, 1)
    assert ami.events("VarSet", Channel=caller, Variable="DIALSTATUS")[-1]["Value"] == "CHANUNAVAIL"
    assert len(ami.events("MusicOnHoldStart", Channel=caller)) == 2


@pytest.mark.parametrize(
    ("number", "response", "reason", "dial_status"),
    [
        ("5550001", "Success", "4", "ANSWER"),
        ("5550486", "Failure", "5", "BUSY"),
        ("5550503", "Failure", "8", "CONGESTION"),
        ("5550000", "Failure", "3", None),  # rings until the Originate timeout: no DialEnd
    ],
)
async def test_outbound_originate_outcomes(
    sim: Simulator, number: str, response: str, reason: str, dial_status: str | None
) -> None:
    ami = await Ami.connect(sim)
    await ami.login()
    queued = await ami.action(
        "Originate",
        ("Channel", f"PJSIP/{number}@trunk"),
        ("Context", "cc-connect"),
        ("Exten", "1001"),
        ("Priority", "1"),
        ("CallerID", '"Call Center" <5000>'),
        ("Timeout", "6000"),
        ("Async", "true"),
        ("Variable", "CC_AGENT_ENDPOINT=PJSIP/1001"),
    )
    assert queued.get("Message") == "Originate successfully queued"
    await advance(sim, ami, 20)
    result = ami.events("OriginateResponse", ActionID=queued.action_id or "")
    assert [(f["Response"], f["Reason"]) for f in result] == [(response, reason)]
    customer = ami.events("Newchannel")[0]["Channel"]
    assert customer.startswith("PJSIP/trunk-")
    ends = [f["DialStatus"] for f in ami.events("DialEnd", DestChannel=customer)]
    assert ends == ([dial_status] if dial_status else [])
    if response == "Failure":
        assert (
            result[0]["Uniqueid"] == "<unknown>" and result[0]["Channel"] == f"PJSIP/{number}@trunk"
        )
    else:
        assert ami.events("BridgeEnter", Channel=customer)


async def test_hold_by_dual_redirect_then_bridge_again(sim: Simulator) -> None:
    ami = await Ami.connect(sim)
    await ami.login()
    caller = await inbound(sim, ami)
    await ami.action("Redirect", ("Channel", caller), ("Context", "cc-connect"), ("Exten", "1001"))
    await advance(sim, ami, 3)
    agent = ami.events("DialBegin", Channel=caller)[0]["DestChannel"]
    hold = await ami.action(
        "Redirect",
        ("Channel", caller),
        ("Context", "cc-onhold"),
        ("Exten", "s"),
        ("Priority", "1"),
        ("ExtraChannel", agent),
        ("ExtraContext", "cc-onhold"),
        ("ExtraExten", "agent"),
        ("ExtraPriority", "1"),
    )
    assert hold.get("Message") == "Redirect successful"
    await advance(sim, ami, 1)
    assert agent in sim.engine.channels, "the agent leg survives the hold"
    assert ami.events("MusicOnHoldStart", Channel=caller)[-1]["Context"] == "cc-onhold"
    bridged = await ami.action("Bridge", ("Channel1", caller), ("Channel2", agent), ("Tone", "no"))
    assert bridged.get("Message") == "Channels have been bridged"
    await advance(sim, ami, 1)
    assert ami.events("MusicOnHoldStop", Channel=caller)
    assert len(ami.events("BridgeCreate")) == 2
    await ami.action("Hangup", ("Channel", agent))
    await advance(sim, ami, 1)
    assert caller not in sim.engine.channels, "the caller hangs up when the agent does"


async def test_announcement_returns_the_caller_to_hold(sim: Simulator) -> None:
    ami = await Ami.connect(sim)
    await ami.login()
    caller = await inbound(sim, ami)
    for name, value in (("CC_POSITION", "3"), ("CC_WAIT_S", "125")):
        await ami.action("Setvar", ("Channel", caller), ("Variable", name), ("Value", value))
    await ami.action("Redirect", ("Channel", caller), ("Context", "cc-announce"), ("Exten", "s"))
    await advance(sim, ami, 15)
    played = [f["AppData"] for f in ami.events("Newexten", Channel=caller, Context="cc-announce")]
    assert "3" in played and "2" in played and "queue-minutes" in played
    assert [f["Context"] for f in ami.events("MusicOnHoldStart", Channel=caller)] == [
        "cc-hold",
        "cc-hold",
    ]


async def test_chanspy_on_a_pjsip_agent(sim: Simulator) -> None:
    ami = await Ami.connect(sim)
    await ami.login()
    caller = await inbound(sim, ami)
    await ami.action("Redirect", ("Channel", caller), ("Context", "cc-connect"), ("Exten", "1001"))
    await advance(sim, ami, 3)
    agent = ami.events("DialBegin", Channel=caller)[0]["DestChannel"]
    spy = await ami.action(
        "Originate",
        ("Channel", "PJSIP/9000"),
        ("Application", "ChanSpy"),
        ("Data", f"{agent},qw"),
        ("CallerID", '"Supervisor" <9000>'),
        ("Async", "true"),
    )
    await advance(sim, ami, 3)
    start = ami.events("ChanSpyStart")
    assert [f["SpyeeChannel"] for f in start] == [agent]
    ok = ami.events("OriginateResponse", ActionID=spy.action_id or "")
    assert ok[0]["Application"] == "ChanSpy" and ok[0]["Reason"] == "4"
    await ami.action("Hangup", ("Channel", start[0]["SpyerChannel"]))
    await ami.settle()
    assert ami.events("ChanSpyStop")
    assert not ami.events("BridgeEnter", Channel=start[0]["SpyerChannel"])


def asterisk_bucket(name: str) -> int:
    """main/channel.c: channels in a hash container of 1567 buckets keyed by
    ast_str_case_hash(name) (djb2 of the lower-cased name, masked to 31 bits)."""
    h = 5381
    for byte in name.lower().encode():
        h = ((h * 33) ^ byte) % 2**32
    return (h % 2**31) % 1567


async def test_coreshowchannels_lists_live_channels_in_container_order(sim: Simulator) -> None:
    ami = await Ami.connect(sim)
    await ami.login()
    first = await inbound(sim, ami, number="+8613900000002")
    second = await inbound(sim, ami, number="+8613900000001")
    response = await ami.action("CoreShowChannels")
    await ami.settle()
    assert response.keys() == ["Response", "ActionID", "EventList", "Message"]
    listed = [f["Channel"] for f in ami.events("CoreShowChannel")]
    assert listed == sorted([first, second], key=asterisk_bucket)
    complete = ami.events("CoreShowChannelsComplete")[0]
    assert complete["ListItems"] == "2" and complete.keys()[1] == "ActionID"


# ---------------------------------------------------------------------------- call controls


async def connected(sim: Simulator, ami: Ami) -> tuple[str, str]:
    """An inbound caller connected to PJSIP/1001: (caller channel, agent channel)."""
    caller = await inbound(sim, ami)
    await ami.action(
        "Setvar", ("Channel", caller), ("Variable", "CC_AGENT_ENDPOINT"), ("Value", "PJSIP/1001")
    )
    await ami.action("Redirect", ("Channel", caller), ("Context", "cc-connect"), ("Exten", "1001"))
    await advance(sim, ami, 3)
    return caller, ami.events("DialBegin", Channel=caller)[0]["DestChannel"]


async def test_a_recording_lasts_from_start_to_stop_with_its_muted_stretch(sim: Simulator) -> None:
    """Capture 20: MixMonitor, MixMonitorMute both 1 then 0 two seconds later, StopMixMonitor:
    Success without Message each time; the file holds the whole 6 s, the muted 2 s as silence."""
    ami = await Ami.connect(sim)
    await ami.login()
    caller, _agent = await connected(sim, ami)
    start = await ami.action("MixMonitor", ("Channel", caller), ("File", "cc-rec.wav"))
    assert start.keys() == ["Response", "ActionID"] and start.response == "Success"
    await advance(sim, ami, 2)
    await ami.action("MixMonitorMute", ("Channel", caller), ("Direction", "both"), ("State", "1"))
    await advance(sim, ami, 2)
    await ami.action("MixMonitorMute", ("Channel", caller), ("Direction", "both"), ("State", "0"))
    await advance(sim, ami, 2)
    stop = await ami.action("StopMixMonitor", ("Channel", caller))
    assert stop.keys() == ["Response", "ActionID"]
    await ami.settle()
    [name] = ami.events("VarSet", Channel=caller, Variable="MIXMONITOR_FILENAME")
    assert name["Value"] == "/var/spool/asterisk/monitor/cc-rec.wav"
    assert [f["State"] for f in ami.events("MixMonitorMute", Channel=caller)] == ["1", "0"]
    assert ami.events("MixMonitorStart", Channel=caller) and ami.events("MixMonitorStop")
    [rec] = sim.engine.recordings
    assert rec.length_s == 6.0
    assert sorted(rec.muted) == [("read", 2.0, 4.0), ("write", 2.0, 4.0)]


@pytest.mark.parametrize(
    ("action", "pairs", "message"),
    [
        ("MixMonitor", (), "No channel specified"),
        ("MixMonitor", (("Channel", "PJSIP/nope-1"),), "No such channel"),
        (
            "MixMonitorMute",
            (("State", "1"),),
            "No direction specified. Must be read, write or both",
        ),
        (
            "MixMonitorMute",
            (("Direction", "sideways"), ("State", "1")),
            "Invalid direction specified. Must be read, write or both",
        ),
        (
            "MixMonitorMute",
            (("Direction", "both"), ("State", "1"), ("Channel", "CALLER")),
            "Cannot set mute flag",
        ),
        ("StopMixMonitor", (("Channel", "CALLER"),), "Could not stop monitoring channel"),
        (
            "MuteAudio",
            (("Channel", "CALLER"), ("Direction", "sideways"), ("State", "on")),
            "Failed to mute/unmute stream",
        ),
        ("MuteAudio", (("Channel", "CALLER"), ("Direction", "in")), "State not specified"),
        ("PlayDTMF", (("Channel", "PJSIP/nope-1"), ("Digit", "5")), "Channel not found"),
        ("PlayDTMF", (("Channel", "CALLER"),), "No digit specified"),
        (
            "Atxfer",
            (("Channel", "AGENT"), ("Exten", "1002")),
            "No attended transfer feature code found",
        ),
        ("Atxfer", (("Channel", "AGENT"),), "No extension specified"),
        (
            "BlindTransfer",
            (("Channel", "PJSIP/nope-1"), ("Exten", "1002")),
            "Channel specified does not exist",
        ),
        (
            "BlindTransfer",
            (("Channel", "HOLDER"), ("Exten", "1002"), ("Context", "cc-connect")),
            "Transfer invalid",
        ),
    ],
)
async def test_call_control_errors_as_asterisk_words_them(
    sim: Simulator, action: str, pairs: tuple[tuple[str, str], ...], message: str
) -> None:
    """The checks in Asterisk's order and words (app_mixmonitor.c, res_mutestream.c,
    main/manager.c; capture 21 for MuteAudio's): no recording to mute or stop, no atxfer code in
    the featuremap (the project ships no features.conf), a blind transfer of a channel in no
    bridge."""
    ami = await Ami.connect(sim)
    await ami.login()
    caller, agent = await connected(sim, ami)
    holder = await inbound(sim, ami, number="+8613800000009")
    names = {"CALLER": caller, "AGENT": agent, "HOLDER": holder}
    reply = await ami.action(action, *((k, names.get(v, v)) for k, v in pairs))
    assert (reply.response, reply.get("Message")) == ("Error", message)


async def test_pausemonitor_and_monitor_do_not_exist(sim: Simulator) -> None:
    ami = await Ami.connect(sim)
    await ami.login()
    for action in ("PauseMonitor", "UnpauseMonitor", "Monitor"):
        reply = await ami.action(action, ("Channel", "PJSIP/trunk-00000000"))
        assert reply.get("Message", "").startswith(f"Invalid/unknown command: {action}.")


async def test_read_without_a_digit_times_out() -> None:
    """fx-survey's Read(CC_SURVEY,beep,1,,1,10): READSTATUS is ERROR at once, TIMEOUT after the
    prompt and the 10 s, and the variable is empty."""
    plan = second_run.dialplan()
    async with start_simulator(
        dialplan=plan, username=USER, secret=SECRET, speed=None, traffic=False
    ) as sim:
        ami = await Ami.connect(sim)
        await ami.login()
        await ami.action(
            "Originate",
            ("Channel", "Local/15551230009@sim-caller"),
            ("Context", "fx-survey"),
            ("Exten", "s"),
            ("Async", "true"),
        )
        await advance(sim, ami, 5)
        caller = ami.events("Newexten", Application="Read")[0]["Channel"]
        assert [
            f["Value"] for f in ami.events("VarSet", Channel=caller, Variable="READSTATUS")
        ] == ["ERROR"]
        await advance(sim, ami, 10)
        statuses = ami.events("VarSet", Channel=caller, Variable="READSTATUS")
        assert [f["Value"] for f in statuses] == ["ERROR", "TIMEOUT"]
        assert ami.events("VarSet", Channel=caller, Variable="CC_SURVEY")[0]["Value"] == ""


# ---------------------------------------------------------------------------- failed Originate


@pytest.mark.parametrize("as_recorded", [True, False], ids=["capture-24-dialplan", "today"])
async def test_failed_originate_waits_for_the_failed_extension(as_recorded: bool) -> None:
    """An Originate into cc-connect that rings out (capture 24: fx-customer never answers).
    Asterisk runs cc-connect's ``failed`` extension on an ``OutgoingSpoolFailed`` channel and
    sends the OriginateResponse once that channel is gone. The dialplan of the recording let
    its agent pattern take ``failed``: the channel dials ``PJSIP/failed`` (CHANUNAVAIL), waits
    in cc-hold for ever and the response only comes when it is hung up. Today's dialplan hangs
    up in ``failed``: the response comes at the timeout."""
    plan = second_run.dialplan()
    if not as_recorded:  # the project's cc-connect with its explicit failed extension
        contract = contract_dialplan(second_run.DID_QUEUES, "sales")
        plan.contexts["cc-connect"] = contract.contexts["cc-connect"]
    async with start_simulator(
        dialplan=plan,
        phonebook=second_run.phonebook,
        username=USER,
        secret=SECRET,
        speed=None,
        traffic=False,
    ) as sim:
        ami = await Ami.connect(sim)
        await ami.login()
        queued = await ami.action(
            "Originate",
            ("Channel", "Local/5550000@fx-customer"),
            ("Context", "cc-connect"),
            ("Exten", "1001"),
            ("Priority", "1"),
            ("CallerID", '"Call Center" <5000>'),
            ("Timeout", "5000"),
            ("Async", "true"),
        )
        await advance(sim, ami, 5.5)
        responses = ami.events("OriginateResponse", ActionID=queued.action_id or "")
        spool = ami.events("Newchannel", Channel="OutgoingSpoolFailed")
        assert [(f["Context"], f["Exten"]) for f in spool] == [("cc-connect", "failed")]
        assert (
            ami.events("VarSet", Channel="OutgoingSpoolFailed", Variable="REASON")[0]["Value"]
            == "3"
        )
        if not as_recorded:
            assert [(f["Response"], f["Reason"]) for f in responses] == [("Failure", "3")]
            assert sim.engine.channels == {}
            return
        assert responses == []  # held back
        agent = ami.events("VarSet", Channel="OutgoingSpoolFailed", Variable="CC_AGENT")
        assert [f["Value"] for f in agent] == ["failed"]
        await ami.action("CoreShowChannels")
        await ami.settle()
        listed = [
            (f["Channel"], f["Context"], f["Application"]) for f in ami.events("CoreShowChannel")
        ]
        assert listed == [("OutgoingSpoolFailed", "cc-hold", "MusicOnHold")]
        await advance(sim, ami, 60)
        assert ami.events("OriginateResponse", ActionID=queued.action_id or "") == []
        await ami.action("Hangup", ("Channel", "OutgoingSpoolFailed"))
        await ami.settle()
        [hangup] = ami.events("Hangup", Channel="OutgoingSpoolFailed")
        assert hangup["Cause"] == "3"  # its failed Dial's cause, as in capture 24
        [response] = ami.events("OriginateResponse", ActionID=queued.action_id or "")
        assert (response["Response"], response["Reason"], response["Uniqueid"]) == (
            "Failure",
            "3",
            "<unknown>",
        )


# ---------------------------------------------------------------------------- scaled clock


async def test_scaled_clock_generates_traffic_on_its_own() -> None:
    scenario = Scenario(queues=[QueueTraffic(queue="sales", did="5000", calls_per_hour=3600)])
    async with start_simulator(
        scenario=scenario, username=USER, secret=SECRET, speed=600.0, seed=3
    ) as sim:
        ami = await Ami.connect(sim)
        await ami.login()
        for _ in range(200):
            if ami.events("MusicOnHoldStart"):
                break
            await ami._read(0.05)
        assert ami.events("Newchannel")[0]["Context"] == "cc-inbound"
        assert ami.events("MusicOnHoldStart")


def _first(frames: list[Frame], pred: Callable[[Frame], bool]) -> Frame:
    return next(f for f in frames if pred(f))


# ---------------------------------------------------------------------------- command line


def test_simulate_command_is_registered_and_checks_the_scenario(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from config.cli import cli

    runner = CliRunner()
    shown = runner.invoke(cli, ["simulate", "--help"])
    assert shown.exit_code == 0 and "--speed" in shown.output and "--scenario" in shown.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[[queues]]\nqueue = "sales"\ndid = "not-a-did"\n', encoding="utf-8")
    result = runner.invoke(
        cli,
        ["simulate", "--scenario", str(bad), "--port", "0"],
        env={"CALLCENTER_VAR_DIR": str(tmp_path / "var")},
    )
    assert result.exit_code == 2
    assert "queues.0.did" in result.output


def test_default_scenario_takes_queues_and_agents_from_the_settings() -> None:
    from kernel.settings import Settings

    settings = Settings.model_validate(
        {
            "queues": [{"id": "care", "did": ["6000", "6001"]}],
            "agents": [{"id": "a1"}, {"id": "a2", "endpoint": "Local/a2@phones"}],
        }
    )
    scenario = Scenario.default(settings)
    assert [(q.queue, q.did) for q in scenario.queues] == [("care", "6000"), ("care", "6001")]
    assert [a.dial_string for a in scenario.agents] == ["PJSIP/a1", "Local/a2@phones"]


async def test_agent_with_a_local_endpoint_from_the_settings_answers() -> None:
    scenario = Scenario(
        queues=[QueueTraffic(queue="sales", did="5000")],
        agents=[AgentPhone(agent_id="a2", endpoint="Local/a2@phones", answer_delay_s=Dist(mean=1))],
    )
    async with start_simulator(
        scenario=scenario, username=USER, secret=SECRET, speed=None, traffic=False
    ) as sim:
        ami = await Ami.connect(sim)
        await ami.login()
        caller = await inbound(sim, ami)
        await ami.action(
            "Setvar",
            ("Channel", caller),
            ("Variable", "CC_AGENT_ENDPOINT"),
            ("Value", "Local/a2@phones"),
        )
        await ami.action(
            "Redirect", ("Channel", caller), ("Context", "cc-connect"), ("Exten", "a2")
        )
        await advance(sim, ami, 3)
        assert [f["DialStatus"] for f in ami.events("DialEnd", Channel=caller)] == ["ANSWER"]
        assert ami.events("DialBegin", Channel=caller)[0]["DestChannel"].startswith(
            "Local/a2@phones-"
        )


async def test_the_talk_timer_survives_a_hold_by_the_platform() -> None:
    """A person hangs up after the drawn talk time even if the bridge held and unheld the call."""
    scenario = Scenario(
        queues=[
            QueueTraffic(queue="sales", did="5000", talk_s=Dist(mean=30), caller_ends_share=1.0)
        ],
        agents=[AgentPhone(agent_id="1001", answer_delay_s=Dist(mean=1), no_answer_p=0, hold_p=0)],
    )
    async with start_simulator(
        scenario=scenario, username=USER, secret=SECRET, speed=None, traffic=False
    ) as sim:
        ami = await Ami.connect(sim)
        await ami.login()
        caller = await inbound(sim, ami)
        await ami.action(
            "Redirect", ("Channel", caller), ("Context", "cc-connect"), ("Exten", "1001")
        )
        await advance(sim, ami, 2)
        agent = ami.events("DialBegin", Channel=caller)[0]["DestChannel"]
        await ami.action(
            "Redirect",
            ("Channel", caller),
            ("Context", "cc-onhold"),
            ("Exten", "s"),
            ("ExtraChannel", agent),
            ("ExtraContext", "cc-onhold"),
            ("ExtraExten", "agent"),
        )
        await advance(sim, ami, 5)
        await ami.action("Bridge", ("Channel1", caller), ("Channel2", agent))
        await advance(sim, ami, 30)
        assert not sim.engine.channels, "the caller hung up after its talk time; the agent followed"
        assert ami.events("HangupRequest", Channel=caller)


async def test_timestamp_events_stamp_manager_events_only() -> None:
    """``timestamp_events`` is manager.conf ``timestampevents = yes``: manager events carry
    ``Timestamp:`` (simulated wall time) right after ``Privilege``; responses and list items
    (Status) do not. Without it nothing does (the real-Asterisk captures have none)."""
    scenario = Scenario(queues=[QueueTraffic(queue="sales", did="5000")], agents=[])
    async with start_simulator(
        scenario=scenario,
        username=USER,
        secret=SECRET,
        speed=None,
        traffic=False,
        epoch_s=1.8e9,
        timestamp_events=True,
    ) as stamped:
        ami = await Ami.connect(stamped)
        await ami.login()
        await stamped.advance(10)
        await inbound(stamped, ami)
        await ami.action("Status")
        await ami.settle()
    events = [f for f in ami.frames if f.event and f.get("Privilege") and f.event != "Status"]
    calls = [f for f in events if f.event not in ("FullyBooted", "SuccessfulAuth")]
    assert calls and all(f.keys()[:3] == ["Event", "Privilege", "Timestamp"] for f in calls)
    assert {f["Timestamp"] for f in calls} <= {"1800000010.000000", "1800000010.500000"}
    listed = [f for f in ami.frames if (f.response and not f.get("Ping")) or f.event == "Status"]
    assert listed and not [f for f in listed if f.get("Timestamp")]  # Pong has its own
