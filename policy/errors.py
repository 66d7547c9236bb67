"""Exceptions shared by the policy modules."""

from __future__ import annotations


class NotSpecifiedError(ValueError):
    """The source documents state no rule for this market and topic.

    The bot must not guess: catch this, say the information is not available and offer
    support. ``market`` and ``topic`` let the UI pick the message.
    """

    def __init__(self, market: str, topic: str) -> None:
        super().__init__(f"{market}: the source documents do not specify {topic}")
        self.market = market
        self.topic = topic
