"""PBX simulator: an AMI server over TCP that behaves like Asterisk 22 and generates traffic.

``start_simulator(...)`` (an async context manager) runs it in-process; ``callcenter simulate``
runs it alone. Layout: ``model`` (channels, bridges, snapshots), ``dialplan`` (the contract and
the simulated phones), ``engine`` (the pure PBX state machine), ``manager`` (AMI actions and
sessions), ``phones`` / ``traffic`` (scenario, seeded generator), ``server`` (TCP and clock).
"""

from telephony.simulator import second_run
from telephony.simulator.dialplan import capture_dialplan, contract_dialplan
from telephony.simulator.server import Simulator, build_simulator, start_simulator
from telephony.simulator.traffic import Scenario, ScenarioError

__all__ = [
    "Scenario",
    "ScenarioError",
    "Simulator",
    "build_simulator",
    "capture_dialplan",
    "contract_dialplan",
    "second_run",
    "start_simulator",
]
