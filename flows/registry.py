"""The flows this assistant runs. Add a flow here to make it reachable."""

from __future__ import annotations

from core.flow import Flow
from flows.info import Info
from flows.kz_move import KzMove
from flows.menu import Menu
from flows.quick_order import QuickOrder
from flows.start import Start
from flows.support import Support


def default_flows() -> list[Flow]:
    """One instance (one state machine) per flow, shared by every conversation."""
    return [Start(), Menu(), Support(), Info(), KzMove(), QuickOrder()]
