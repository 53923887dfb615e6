"""AMI actions for call controls in the simulated PBX: recording, muting, DTMF, transfers.

The checks and their order, the response texts and what has no ``Message:`` line are those of
Asterisk 22.10.1 (real-Asterisk captures 20, 21, 22; the texts the captures do not show come from
its source: app_mixmonitor.c, res_mutestream.c, main/manager.c). ``PauseMonitor``, ``Monitor``
and ``UnpauseMonitor`` do not exist there (app_monitor was removed): like any unknown action they
get ``Invalid/unknown command``. A mixin of ``manager.Manager``; the effects are in
``controls.py``, ``dtmf.py`` and ``atxfer.py``.
"""

from __future__ import annotations

from telephony.ami_frames import Frame
from telephony.simulator import controls
from telephony.simulator.dtmf import DEFAULT_DURATION_MS, key_pressed, play_toward
from telephony.simulator.model import Session
from telephony.simulator.switch import Switch

_FALSE = {"no", "false", "n", "f", "0", "off"}  # ast_false
_TRUE = {"yes", "true", "y", "t", "1", "on"}  # ast_true


class ControlActions:
    """``_action_<name>`` handlers; ``Manager`` provides the engine and the responses."""

    engine: Switch

    def _respond(
        self, session: Session, frame: Frame, response: str, *pairs: tuple[str, str]
    ) -> None:
        raise NotImplementedError  # pragma: no cover - Manager's

    def _error(self, session: Session, frame: Frame, message: str) -> None:
        raise NotImplementedError  # pragma: no cover - Manager's

    def _success(self, session: Session, frame: Frame, message: str) -> None:
        raise NotImplementedError  # pragma: no cover - Manager's

    def _action_mixmonitor(self, session: Session, frame: Frame) -> None:
        name = frame.get("Channel")
        if not name:
            self._error(session, frame, "No channel specified")
            return
        ch = self.engine.find_channel(name)
        if ch is None:
            self._error(session, frame, "No such channel")
            return
        file = (frame.get("File") or "").strip()
        if not file:  # MixMonitor requires a filename: mixmonitor_exec fails
            self._error(session, frame, "Could not start monitoring channel")
            return
        self._respond(session, frame, "Success")
        controls.mixmonitor_start(self.engine, ch, file, frame.get("Options") or "")

    def _action_mixmonitormute(self, session: Session, frame: Frame) -> None:
        direction = (frame.get("Direction") or "").lower()
        if not direction:
            self._error(session, frame, "No direction specified. Must be read, write or both")
            return
        if direction not in controls.MUTE_DIRECTIONS:
            self._error(session, frame, "Invalid direction specified. Must be read, write or both")
            return
        name = frame.get("Channel")
        if not name:
            self._error(session, frame, "No channel specified")
            return
        state = (frame.get("State") or "").strip()
        if not state:
            self._error(session, frame, "No state specified")
            return
        ch = self.engine.find_channel(name)
        if ch is None:
            self._error(session, frame, "No such channel")
            return
        if ch.mixmonitor is None:
            self._error(session, frame, "Cannot set mute flag")
            return
        self._respond(session, frame, "Success")
        controls.mixmonitor_mute(self.engine, ch, direction, state.lower() not in _FALSE)

    def _action_stopmixmonitor(self, session: Session, frame: Frame) -> None:
        name = frame.get("Channel")
        if not name:
            self._error(session, frame, "No channel specified")
            return
        ch = self.engine.find_channel(name)
        if ch is None:
            self._error(session, frame, "No such channel")
            return
        if ch.mixmonitor is None:
            self._error(session, frame, "Could not stop monitoring channel")
            return
        self._respond(session, frame, "Success")
        controls.mixmonitor_stop(self.engine, ch)

    def _action_muteaudio(self, session: Session, frame: Frame) -> None:
        name = frame.get("Channel")
        state = (frame.get("State") or "").strip().lower()
        direction = (frame.get("Direction") or "").strip().lower()
        for value, what in ((name, "Channel"), (state, "State"), (direction, "Direction")):
            if not value:
                self._error(session, frame, f"{what} not specified")
                return
        ch = self.engine.find_channel(name or "")
        if ch is None:
            self._error(session, frame, "No such channel")
            return
        if direction not in controls.AUDIO_DIRECTIONS:
            self._error(session, frame, "Failed to mute/unmute stream")
            return
        self._respond(session, frame, "Success")
        controls.mute_audio(self.engine, ch, direction, state in _TRUE)

    def _action_playdtmf(self, session: Session, frame: Frame) -> None:
        ch = self.engine.find_channel(frame.get("Channel") or "")
        if ch is None:
            self._error(session, frame, "Channel not found")
            return
        digit = (frame.get("Digit") or "")[:1]
        if not digit:
            self._error(session, frame, "No digit specified")
            return
        duration_text = (frame.get("Duration") or "").strip()
        if duration_text and not duration_text.isdigit():
            self._error(session, frame, "Could not convert Duration parameter")
            return
        duration_ms = int(duration_text) if duration_text else DEFAULT_DURATION_MS
        self._success(session, frame, "DTMF successfully queued")
        if (frame.get("Receive") or "").strip().lower() in _TRUE:
            key_pressed(self.engine, ch, digit, duration_ms, begin=False)
        else:
            play_toward(self.engine, ch, digit, duration_ms)

    def _action_atxfer(self, session: Session, frame: Frame) -> None:
        name, exten = frame.get("Channel"), (frame.get("Exten") or "").strip()
        if not name:
            self._error(session, frame, "No channel specified")
            return
        if not exten:
            self._error(session, frame, "No extension specified")
            return
        ch = self.engine.find_channel(name)
        if ch is None:
            self._error(session, frame, "Channel specified does not exist")
            return
        code = self.engine.atxfer_code
        if not code:
            self._error(session, frame, "No attended transfer feature code found")
            return
        context = (frame.get("Context") or "").strip()
        if context:
            self.engine.set_var(ch, "TRANSFER_CONTEXT", context)
        self._success(session, frame, "Atxfer successfully queued")
        # the code and the digits are queued on the channel as if its phone keyed them
        for digit in code + exten:
            key_pressed(self.engine, ch, digit, 0, begin=False)

    def _action_blindtransfer(self, session: Session, frame: Frame) -> None:
        name, exten = frame.get("Channel"), (frame.get("Exten") or "").strip()
        if not name:
            self._error(session, frame, "No channel specified")
            return
        if not exten:
            self._error(session, frame, "No extension specified")
            return
        ch = self.engine.find_channel(name)
        if ch is None:
            self._error(session, frame, "Channel specified does not exist")
            return
        context = (frame.get("Context") or "").strip() or ch.context
        if ch.bridge is None or len(ch.bridge.members) != 2:
            self._error(session, frame, "Transfer invalid")
            return
        if not self.engine.dialplan.exists(context, exten):
            self._error(session, frame, "Transfer failed")
            return
        self._success(session, frame, "Transfer succeeded")
        controls.blind_transfer(self.engine, ch, context, exten)
