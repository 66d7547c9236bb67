"""`Turn`: everything a flow may use while it handles one event."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flows.i18n import Translator, translator
from flows.types import Event
from storage.records import Conversation, User
from storage.repos import Tx

if TYPE_CHECKING:
    from flows.base import Flow


@dataclass(frozen=True, slots=True)
class Resources:
    """Read-only data loaded once at start-up and shared by every turn."""

    catalogs: Mapping[str, Any] = field(default_factory=dict)
    # Shown where a flow offers a human (R-KR-ORD-6, R-KZ-SUP-1); None: no staff desk.
    staff_desk: bool = True


@dataclass(slots=True)
class Turn:
    tx: Tx
    user: User
    conv: Conversation
    event: Event
    now: datetime
    resources: Resources
    flows: Mapping[str, Flow]
    t: Translator = field(init=False)
    # Objects a handler hands to the prompt that follows in the same turn (the order it has
    # just placed), so that the prompt need not read them back. Never stored: a later turn
    # finds only what `data` keeps.
    fresh: dict[str, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.t = translator(self.user.language or "en")

    def _(self, message: str) -> str:
        return self.t._(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.t.ngettext(singular, plural, n)

    @property
    def market(self) -> str:
        return self.user.market or "KR"

    @property
    def data(self) -> dict[str, Any]:
        """The current flow's own slots (cleared when the flow is entered afresh)."""
        return self.conv.slots.setdefault(self.conv.flow, {})

    def slots_of(self, flow: str) -> dict[str, Any]:
        return self.conv.slots.setdefault(flow, {})

    def set_language(self, language: str) -> None:
        self.user.language = language
        self.t = translator(language)
