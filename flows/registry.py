"""The flows this assistant runs: adding a flow is one line here.

Everything else reads a flow's declared surface (core/surface.py) from the engine: Telegram's
command menus, /help, the main menu, the jobs loop, the staff desk, the diagrams.
"""

from __future__ import annotations

from core.flow import Flow
from flows.info import Info
from flows.kz_move import KzMove
from flows.lrp import Lrp
from flows.menu import Menu
from flows.quick_order import QuickOrder
from flows.returns import Returns
from flows.start import Start
from flows.support import Support

FLOWS: list[type[Flow]] = [Start, Menu, Support, Info, KzMove, QuickOrder, Lrp, Returns]


def default_flows() -> list[Flow]:
    """One instance (one state machine) per flow, shared by every conversation."""
    return [flow() for flow in FLOWS]
