"""AMI framing on raw buffers: banner, CRLF and LF, split frames, cut UTF-8, bad blocks, and the
stream reader's bound on a frame (dropped over 1 MiB, resynchronised at the next frame)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephony.ami_frames import (
    MAX_FRAME_BYTES,
    Frame,
    FrameError,
    FrameReader,
    OversizedFrameError,
    format_frame,
    parse_frames,
)
from telephony.captures import received_bytes

REAL = Path(__file__).parents[1] / "fixtures" / "ami" / "real-asterisk"

LOGIN_OK = b"Response: Success\r\nActionID: cc-1\r\nMessage: Authentication accepted\r\n\r\n"
BOOTED = b"Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 15\r\n\r\n"


def feed_all(chunks: list[bytes]) -> tuple[list[Frame], bytes, list[FrameError]]:
    frames: list[Frame] = []
    errors: list[FrameError] = []
    rest = b""
    for chunk in chunks:
        got, rest, bad = parse_frames(rest + chunk)
        frames += got
        errors += bad
    return frames, rest, errors


def test_one_frame_crlf() -> None:
    frames, rest, errors = parse_frames(LOGIN_OK)
    assert frames == [
        Frame(
            [
                ("Response", "Success"),
                ("ActionID", "cc-1"),
                ("Message", "Authentication accepted"),
            ]
        )
    ]
    assert (rest, errors) == (b"", [])
    f = frames[0]
    assert f.response == "Success" and f.action_id == "cc-1" and f["message"] == f.get("MESSAGE")


def test_bare_lf_and_mixed() -> None:
    frames, rest, _ = parse_frames(b"Event: A\nX: 1\n\nEvent: B\r\nX: 2\n\r\n")
    assert [f.event for f in frames] == ["A", "B"]
    assert [f["X"] for f in frames] == ["1", "2"]
    assert rest == b""


def test_banner_then_frames_in_one_buffer() -> None:
    frames, rest, errors = parse_frames(b"Asterisk Call Manager/11.0.0\r\n" + LOGIN_OK + BOOTED)
    assert frames[0].banner == "Asterisk Call Manager/11.0.0"
    assert [f.response or f.event for f in frames[1:]] == ["Success", "FullyBooted"]
    assert (rest, errors) == (b"", [])


def test_banner_alone_is_emitted_before_any_frame() -> None:
    frames, rest, _ = parse_frames(b"Asterisk Call Manager/11.0.0\r\nResponse: Succ")
    assert [f.banner for f in frames] == ["Asterisk Call Manager/11.0.0"]
    assert rest == b"Response: Succ"


def test_incomplete_frame_is_the_rest() -> None:
    frames, rest, errors = parse_frames(LOGIN_OK + b"Event: Fully")
    assert len(frames) == 1 and rest == b"Event: Fully" and errors == []
    frames, rest, _ = parse_frames(LOGIN_OK[:-2])
    assert frames == [] and rest == LOGIN_OK[:-2]


def test_byte_by_byte_equals_whole() -> None:
    data = b"Asterisk Call Manager/11.0.0\r\n" + LOGIN_OK + BOOTED + LOGIN_OK
    whole = parse_frames(data)
    split = feed_all([data[i : i + 1] for i in range(len(data))])
    assert split == whole
    assert len(whole[0]) == 4


def test_cut_utf8_character() -> None:
    frame = "Event: Newchannel\r\nCallerIDName: 张伟\r\n\r\n".encode()
    cut = frame.index("伟".encode()) + 1  # in the middle of the 3-byte character
    frames, rest, errors = parse_frames(frame[:cut])
    assert frames == [] and rest == frame[:cut] and errors == []
    frames, rest, errors = parse_frames(rest + frame[cut:])
    assert frames[0]["CallerIDName"] == "张伟" and rest == b"" and errors == []


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    frames, _, errors = parse_frames(b"Event: X\r\nName: \xff\xfe\r\n\r\n")
    assert frames[0]["Name"] == "\ufffd\ufffd" and errors == []


def test_repeated_keys_are_kept_in_order() -> None:
    data = (
        b"Event: Status\r\nPrivilege: Call\r\nVariable: CC_QUEUE=sales\r\n"
        b"Variable: CC_CUSTOMER_ID=cust-1\r\nActionID: cc-7\r\n\r\n"
    )
    (f,), _, _ = parse_frames(data)
    assert f.getall("Variable") == ["CC_QUEUE=sales", "CC_CUSTOMER_ID=cust-1"]
    assert f["Variable"] == "CC_QUEUE=sales"
    assert f.keys() == ["Event", "Privilege", "Variable", "Variable", "ActionID"]
    assert format_frame(f) == data


def test_malformed_block_is_reported_and_skipped() -> None:
    frames, rest, errors = parse_frames(b"garbage line\r\nX: 1\r\n\r\n: novalue\r\n\r\n" + BOOTED)
    assert [f.event for f in frames] == ["FullyBooted"]
    assert [e.raw for e in errors] == [b"garbage line\r\nX: 1", b": novalue"]
    assert rest == b""


def test_empty_value_and_colon_in_value() -> None:
    (f,), _, _ = parse_frames(b'Event: X\r\nData: \r\nCallerID: "A" <1:2>\r\nEmpty:\r\n\r\n')
    assert f["Data"] == "" and f["CallerID"] == '"A" <1:2>' and f["Empty"] == ""


def test_format_frame() -> None:
    assert format_frame([("Action", "Ping"), ("ActionID", "7")]) == (
        b"Action: Ping\r\nActionID: 7\r\n\r\n"
    )
    assert format_frame({"Action": "Logoff"}) == b"Action: Logoff\r\n\r\n"


@pytest.mark.parametrize(
    "pairs",
    [[("Action", "Hangup\r\nAction: Reload")], [("Bad:Key", "x")], [("", "x")], [("A\n", "x")]],
)
def test_format_frame_refuses_injection(pairs: list[tuple[str, str]]) -> None:
    with pytest.raises(FrameError):
        format_frame(pairs)


@pytest.mark.parametrize("path", sorted(REAL.glob("*.ami")), ids=lambda p: p.name)
def test_real_captures_parse_cleanly(path: Path) -> None:
    """Every received byte of the real sessions parses, whole or in 7-byte pieces."""
    raw = path.read_bytes()
    received = b"".join(
        line for line in raw.splitlines(keepends=True) if not line.startswith(b">>> ")
    )
    frames, rest, errors = parse_frames(received)
    assert errors == [] and rest == b""
    assert frames[0].banner == "Asterisk Call Manager/11.0.0"
    assert all(f.event or f.response for f in frames[1:])
    # re-encoding gives back the exact bytes (CRLF everywhere in the captures)
    assert b"".join(f.to_bytes() for f in frames) == received
    assert feed_all([received[i : i + 7] for i in range(0, len(received), 7)]) == (
        frames,
        b"",
        [],
    )


# --- properties ----------------------------------------------------------------------------

_key = st.text(
    st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=":"),
    min_size=1,
    max_size=12,
)
_value = st.text(
    st.characters(exclude_characters="\r\n", exclude_categories=("Cs",)), max_size=30
).filter(lambda v: v == v.lstrip(" "))
_pairs = st.lists(st.tuples(_key, _value), min_size=1, max_size=6)


@given(st.binary(max_size=200), st.integers(0, 200))
def test_random_bytes_never_raise(data: bytes, cut: int) -> None:
    frames, rest, errors = parse_frames(data[:cut])
    assert isinstance(rest, bytes)
    assert all(isinstance(e, FrameError) for e in errors)


@given(st.binary(max_size=120), _pairs, st.sampled_from([b"\r\n", b"\n"]))
def test_valid_frame_after_garbage_still_parses(
    garbage: bytes, pairs: list[tuple[str, str]], eol: bytes
) -> None:
    valid = format_frame(pairs).replace(b"\r\n", eol)
    frames, rest, _ = parse_frames(garbage + b"\r\n\r\n" + valid)
    assert rest == b""
    assert frames and frames[-1] == Frame(pairs)


@given(_pairs, _pairs, st.lists(st.integers(1, 9), max_size=40))
def test_any_chunking_gives_the_same_frames(
    a: list[tuple[str, str]], b: list[tuple[str, str]], sizes: list[int]
) -> None:
    data = format_frame(a) + format_frame(b)
    chunks, pos = [], 0
    for n in sizes:
        chunks.append(data[pos : pos + n])
        pos += n
    chunks.append(data[pos:])
    assert feed_all(chunks) == ([Frame(a), Frame(b)], b"", [])


# --- the stream reader: same frames, a bound on a frame, resynchronisation -----------------


def read_all(
    chunks: list[bytes], max_frame_bytes: int = MAX_FRAME_BYTES
) -> tuple[list[Frame], list[FrameError], FrameReader]:
    reader = FrameReader(max_frame_bytes)
    frames: list[Frame] = []
    errors: list[FrameError] = []
    for chunk in chunks:
        got, bad = reader.feed(chunk)
        frames += got
        errors += bad
    return frames, errors, reader


def test_reader_byte_by_byte_gives_what_parse_frames_gives() -> None:
    data = received_bytes((REAL / "06-redirect-noanswer-then-second-agent.ami").read_bytes())
    frames, rest, errors = parse_frames(data)
    got, bad, reader = read_all([data[i : i + 1] for i in range(len(data))])
    assert (got, bad, reader.pending) == (frames, errors, rest)
    assert len(got) > 100


@given(_pairs, _pairs, st.lists(st.integers(1, 9), max_size=40))
def test_reader_any_chunking_gives_the_same_frames(
    a: list[tuple[str, str]], b: list[tuple[str, str]], sizes: list[int]
) -> None:
    data = b"Asterisk Call Manager/11.0.0\r\n" + format_frame(a) + format_frame(b)
    chunks, pos = [], 0
    for n in sizes:
        chunks.append(data[pos : pos + n])
        pos += n
    chunks.append(data[pos:])
    frames, errors, reader = read_all(chunks)
    assert frames[1:] == [Frame(a), Frame(b)] and frames[0].banner is not None
    assert errors == [] and reader.pending == b""


def test_unterminated_30_mb_frame_is_dropped_and_reading_resumes() -> None:
    """64 KiB reads of a 30 MB frame that never ends until a blank line: one error naming the
    bound with the frame's first bytes, never more than the bound (plus one read) kept, and the
    frames after it are read as usual."""
    head = b"Event: Huge\r\nVariable: "
    body = head + b"x=" + b"y" * (30 * 10**6)
    data = LOGIN_OK + body + b"\r\n\r\n" + BOOTED + LOGIN_OK
    reader = FrameReader()
    frames: list[Frame] = []
    errors: list[FrameError] = []
    biggest = 0
    for i in range(0, len(data), 65536):
        got, bad = reader.feed(data[i : i + 65536])
        frames += got
        errors += bad
        biggest = max(biggest, len(reader.pending))
    assert [f.response or f.event for f in frames] == ["Success", "FullyBooted", "Success"]
    assert len(errors) == 1 and isinstance(errors[0], OversizedFrameError)
    assert errors[0].raw.startswith(head) and "1048576 bytes" in errors[0].reason
    assert biggest <= MAX_FRAME_BYTES + 65536
    assert reader.pending == b""
    assert len(body) - MAX_FRAME_BYTES <= reader.dropped_bytes <= len(body) + 4


@pytest.mark.parametrize("end", [b"\r\n\r\n", b"\n\n", b"\r\n\n", b"\n\r\n"])
def test_oversized_frame_byte_by_byte_resyncs_on_an_end_cut_in_pieces(end: bytes) -> None:
    data = b"Event: Big\r\nData: " + b"z" * 300 + end + BOOTED
    frames, errors, reader = read_all([data[i : i + 1] for i in range(len(data))], 64)
    assert [f.event for f in frames] == ["FullyBooted"]
    assert [type(e) for e in errors] == [OversizedFrameError]
    assert errors[0].raw.startswith(b"Event: Big")
    assert reader.pending == b""


def test_oversized_complete_frame_in_one_read_is_dropped_undecoded() -> None:
    big = b"Event: Big\r\nData: " + b"\xff" * 200 + b"\r\n\r\n"
    frames, errors, _ = read_all([LOGIN_OK + big + BOOTED], 80)
    assert [f.response or f.event for f in frames] == ["Success", "FullyBooted"]
    assert [type(e) for e in errors] == [OversizedFrameError]


def test_frame_of_exactly_the_bound_is_kept() -> None:
    frame = b"Event: X\r\nData: " + b"d" * 84
    assert len(frame) == 100
    frames, errors, _ = read_all([frame[:50], frame[50:] + b"\r\n\r\n"], 100)
    assert errors == [] and frames[0]["Data"] == "d" * 84


@given(
    st.binary(max_size=400).map(lambda b: b.replace(b"\n", b"-")),
    _pairs,
    _pairs,
    st.lists(st.integers(1, 50), max_size=60),
)
def test_reader_recovers_the_frames_after_an_oversized_one(
    junk: bytes, a: list[tuple[str, str]], b: list[tuple[str, str]], sizes: list[int]
) -> None:
    """Whatever the oversized frame holds (no blank line inside, by definition) and however the
    stream is cut: one error for it, then exactly the frames that follow."""
    small = max(len(format_frame(a)), len(format_frame(b)))
    junk = b"x" * small + junk  # over the bound whatever the two frames are
    data = format_frame(a) + b"Event: Junk\r\n" + junk + b"\r\n\r\n" + format_frame(b)
    chunks, pos = [], 0
    for n in sizes:
        chunks.append(data[pos : pos + n])
        pos += n
    chunks.append(data[pos:])
    frames, errors, reader = read_all(chunks, small)
    assert frames == [Frame(a), Frame(b)]
    assert [type(e) for e in errors] == [OversizedFrameError]
    assert reader.pending == b""
