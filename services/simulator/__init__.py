"""A wire-agency simulator: Reuters, AP, AFP and TASS filing on the same events over HTTP APIs, RSS and a spool.

Deterministic for a seed; see `plan` (what is sent), `render` (the formats), `server` (the HTTP side)
and `driver` (rate, spool writing, ground truth).
"""

from services.simulator.driver import Simulator
from services.simulator.plan import Planner, SimItem
from services.simulator.server import Faults, SimState, build_app, parse_faults, start_server

__all__ = ["Faults", "Planner", "SimItem", "SimState", "Simulator", "build_app", "parse_faults", "start_server"]
