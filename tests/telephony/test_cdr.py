"""Master.csv as cdr_csv writes it (capture 24-cdr-master.csv, Asterisk 22.10.1): parsing,
writing the same bytes back, the platform's calls from the lines, and the file read by end time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from telephony import cdr_file
from telephony.cdr import (
    CdrRecord,
    calls_from_records,
    format_record,
    parse_bytes,
    parse_lines,
    parse_userfield,
)

REAL = Path(__file__).parents[1] / "fixtures" / "ami" / "real-asterisk"
MASTER = REAL / "24-cdr-master.csv"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def real_records() -> list[CdrRecord]:
    records, errors = parse_bytes(MASTER.read_bytes())
    assert errors == []
    return records


def test_the_real_master_csv_parses_into_its_five_records() -> None:
    records = real_records()
    # README "24-cdr-master.csv columns": Nina's call (agent ;2, caller ;1, caller ;2), then
    # Omar's (caller ;2, caller ;1); the unanswered outbound call has no line
    assert [(r.channel, r.dcontext, r.lastapp) for r in records] == [
        ("Local/1001@sim-agent-00000026;2", "sim-agent", "Hangup"),
        ("Local/15551230901@sim-caller-00000025;1", "cc-connect", "Dial"),
        ("Local/15551230901@sim-caller-00000025;2", "sim-caller", "Wait"),
        ("Local/15551230902@sim-caller-00000027;2", "sim-caller", "Hangup"),
        ("Local/15551230902@sim-caller-00000027;1", "cc-hold", "MusicOnHold"),
    ]
    agent, caller = records[0], records[1]
    assert (agent.start_at, agent.answer_at, agent.end_at) == (
        at("2026-12-07 13:10:44"),
        at("2026-12-07 13:10:46"),
        at("2026-12-07 13:10:49"),
    )
    assert (agent.duration_s, agent.billsec_s) == (5, 3)
    assert caller.dstchannel == "Local/1001@sim-agent-00000026;1"
    assert caller.lastdata == "Local/1001@sim-agent,15"
    assert caller.clid == '"Nina" <15551230901>'  # the doubled quotes undone
    assert (caller.uniqueid, caller.userfield, caller.amaflags) == (
        "1796649044.76",
        "",
        "DOCUMENTATION",
    )
    # an abandoned caller is ANSWERED in the CDR: the dialplan answered it
    assert records[4].disposition == "ANSWERED" and records[4].dst == "s"


def test_writing_gives_back_the_same_bytes() -> None:
    lines = MASTER.read_text().splitlines()
    assert [format_record(r) for r in real_records()] == lines


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        # the stock cdr.conf: no uniqueid, no userfield
        (
            '"","1","2","c","x","ch","","Dial","","2026-12-07 13:10:44","","2026-12-07 13:10:45",1,0,"NO ANSWER","DOCUMENTATION"',
            "16 columns, expected 18 (cdr.conf needs loguniqueid and loguserfield)",
        ),
        (
            '"","1","2","c","x","ch","","Dial","","07/12/2026","","2026-12-07 13:10:45",1,0,"NO ANSWER","DOCUMENTATION","1.1",""',
            "start: not a time",
        ),
        (
            '"","1","2","c","x","ch","","Dial","","2026-12-07 13:10:44","","2026-12-07 13:10:45",one,0,"NO ANSWER","DOCUMENTATION","1.1",""',
            "duration: not a whole number",
        ),
        ('"unterminated', "unexpected end of data"),
    ],
)
def test_a_bad_line_is_reported_with_its_number_and_the_rest_is_read(
    line: str, reason: str
) -> None:
    good = MASTER.read_text().splitlines()
    records, errors = parse_lines([good[0], "", line, good[1]])
    assert [r.channel for r in records] == [
        "Local/1001@sim-agent-00000026;2",
        "Local/15551230901@sim-caller-00000025;1",
    ]
    [error] = errors
    assert error.line_no == 3 and reason in error.reason and reason in str(error)


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("cc;q=sales;n=5000", {"q": "sales", "n": "5000"}),
        (
            "cc;q=sales;n=5000/a=1001;c=;t=1796649044",
            {"q": "sales", "n": "5000", "a": "1001", "c": "", "t": "1796649044"},
        ),
        ("/a=1001;c=out-7;t=1796649044", {"a": "1001", "c": "out-7", "t": "1796649044"}),
        ("", None),
        ("billing-42", None),
        ("ccx;q=1", None),
    ],
)
def test_userfield(text: str, fields: dict[str, str] | None) -> None:
    assert parse_userfield(text) == fields


def with_userfields(records: list[CdrRecord], fields: dict[str, str]) -> list[CdrRecord]:
    """The capture's lines as the project's dialplan would have written them."""
    return [replace(r, userfield=fields.get(r.channel, r.userfield)) for r in records]


def test_calls_from_the_real_lines_with_the_dialplans_userfield() -> None:
    records = with_userfields(
        real_records(),
        {
            "Local/15551230901@sim-caller-00000025;1": "cc;q=sales;n=5000/a=1001;c=;t=1796649044",
            "Local/15551230902@sim-caller-00000027;1": "cc;q=support;n=5001",
        },
    )
    calls = calls_from_records(records)
    assert set(calls) == {"1796649044.76", "1796649050.80"}  # the callers' Linkedids
    nina, omar = calls["1796649044.76"], calls["1796649050.80"]
    assert (nina.direction, nina.queue, nina.dialled, nina.caller, nina.caller_name) == (
        "inbound",
        "sales",
        "5000",
        "15551230901",
        "Nina",
    )
    assert nina.agent_id == "1001" and nina.answered
    assert nina.answered_at == datetime.fromtimestamp(1796649044, UTC)  # the Dial's start
    assert (nina.arrived_at, nina.ended_at) == (
        at("2026-12-07 13:10:44"),
        at("2026-12-07 13:10:49"),
    )
    # on hold, never dialled: no agent answered (the ANSWERED disposition is the dialplan's)
    assert (omar.queue, omar.agent_id, omar.answered_at) == ("support", None, None)
    assert omar.ended_at == at("2026-12-07 13:10:53")


def test_a_caller_with_several_lines_is_one_call() -> None:
    """A Dial that was not answered ends a CDR (NO ANSWER); the caller goes on in a new one."""
    base = real_records()[1]
    uf = "cc;q=sales;n=5000"
    first = replace(
        base,
        dst="1002",
        disposition="NO ANSWER",
        end_at=at("2026-12-07 13:10:47"),
        userfield=f"{uf}/a=1002;c=;t=1796649044",
    )
    second = replace(
        base,
        start_at=at("2026-12-07 13:10:47"),
        answer_at=at("2026-12-07 13:10:47"),
        end_at=at("2026-12-07 13:11:20"),
        userfield=f"{uf}/a=1001;c=;t=1796649068",
    )
    [call] = calls_from_records([second, first]).values()
    assert (call.arrived_at, call.ended_at) == (first.start_at, second.end_at)
    assert call.agent_id == "1001"
    assert call.answered_at == datetime.fromtimestamp(1796649068, UTC)


def test_an_outbound_call_is_known_by_its_platform_call_id() -> None:
    base = real_records()[1]
    record = replace(base, src="5000", userfield="/a=1001;c=out-42;t=1796649044")
    [call] = calls_from_records([record]).values()
    assert (call.call_id, call.direction, call.agent_id, call.queue) == (
        "out-42",
        "outbound",
        "1001",
        None,
    )


def test_lines_without_the_platforms_userfield_are_no_calls() -> None:
    assert calls_from_records(real_records()) == {}


# --- the file, read by end time -------------------------------------------------------------


def line_ending(end_at: datetime, n: int) -> str:
    start = end_at - timedelta(seconds=30)
    record = replace(
        real_records()[1],
        start_at=start,
        answer_at=start,
        end_at=end_at,
        uniqueid=f"1796649044.{n}",
        userfield="cc;q=sales;n=5000",
    )
    return format_record(record)


def test_the_file_is_read_back_to_the_moment_not_from_an_offset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cdr_file, "BLOCK", 256)  # many blocks, lines cut across them
    t0 = at("2026-12-07 08:00:00")
    path = tmp_path / "Master.csv"
    path.write_text("".join(line_ending(t0 + timedelta(minutes=n), n) + "\n" for n in range(600)))
    since = t0 + timedelta(minutes=500)
    records, errors = cdr_file.read_since(path, since, slack=timedelta(minutes=30))
    assert errors == []
    ends = [r.end_at for r in records]
    assert ends == [t0 + timedelta(minutes=n) for n in range(470, 600)]


def test_a_rotated_file_is_read_too(tmp_path: Path) -> None:
    t0 = at("2026-12-07 08:00:00")
    path = tmp_path / "Master.csv"
    (tmp_path / "Master.csv.1").write_text(line_ending(t0, 1) + "\n")
    path.write_text(line_ending(t0 + timedelta(minutes=1), 2) + "\n")
    records, _ = cdr_file.read_since(path, t0 - timedelta(seconds=5), slack=timedelta(0))
    assert [r.uniqueid for r in records] == ["1796649044.1", "1796649044.2"]
    assert cdr_file.read_since(tmp_path / "none.csv", t0) == ([], [])


def test_the_sample_cdr_conf_writes_what_the_backfill_reads() -> None:
    """config/asterisk/cdr.conf: 18 columns (uniqueid, userfield), UTC, unanswered calls too."""
    import configparser

    conf = configparser.ConfigParser(comment_prefixes=(";",), inline_comment_prefixes=(";",))
    conf.read_string((Path(__file__).parents[2] / "config" / "asterisk" / "cdr.conf").read_text())
    assert conf["general"]["enable"] == "yes" and conf["general"]["unanswered"] == "yes"
    assert {k: conf["csv"][k] for k in ("usegmtime", "loguniqueid", "loguserfield")} == {
        "usegmtime": "yes",
        "loguniqueid": "yes",
        "loguserfield": "yes",
    }
