"""Talking to a person: the customer's side of a support ticket.

Everything the customer types here goes to staff (services/tickets.py has the ticket's life
and the staff side; the staff desk is a channel's, bot/channels/telegram/desk.py).
"""

from __future__ import annotations

from typing import ClassVar

import policy
from core.actions import Action
from core.flow import HUMAN_FLOW, Flow, Turn
from core.i18n import N_
from core.surface import MenuEntry, Topic
from core.types import Event, Kind, Outcome, Reply, quiet, rows, stale, switch
from services.tickets import open_ticket, relay_customer_text
from storage.records import Ticket

# Asking for a person in words, in any of our languages: "I want to talk to a person",
# "상담원 연결해주세요", «позовите оператора». Recognised at every step (`everywhere`), even
# where any text is the answer; the words go to staff as the request's first message.
PERSON = (
    r"\b(talk|speak|chat)\s+(to|with)\s+((a|an|the|some|real|live)\s+)?"
    r"(person|human|someone|agent|operator|manager|staff|consultant)\b"
    r"|\b(real|live)\s+(person|human|agent)\b|\bhuman\b|\boperator\b"
    r"|상담원|상담사|상담\s*연결|담당자\s*연결"
    r"|(사람|직원|담당자)\s*(이랑|과|하고|한테|에게)?\s*(연결|통화|대화|얘기|이야기)"
    r"|\bоператор(а|у|ом)?\b(?!\s+связи)|жив(ой|ого|ым|ому)\s+(человек|сотрудник)"
    r"|позов\w*\s+(человека|сотрудника|менеджера|специалиста|консультанта)"
    r"|(поговорить|связаться|соедин\w*|свяжите)\s+(меня\s+|нас\s+)?с\s+(живым\s+)?"
    r"(человеком|сотрудником|менеджером|специалистом|консультантом|поддержкой)"
)


class CloseRequest(Action, prefix="sup:close"):
    """The customer closes their support request."""


async def hours_notice(turn: Turn, ticket: Ticket) -> str | None:
    """Outside support hours, when staff are back; at most once a day per ticket (the day
    it was said is recorded on the ticket)."""
    if policy.support_is_open(turn.market, turn.now):
        return None
    today = policy.local_date(turn.market, turn.now)
    if ticket.hours_notice_on == today:
        return None
    await turn.tx.tickets.update(ticket, turn.now, hours_notice_on=today)
    back = policy.support_next_open(turn.market, turn.now)
    tz = policy.market_config(turn.market).timezone
    return turn._(
        "Support is closed right now. Staff are back on {when}; your request waits for them."
    ).format(when=turn.t.moment(back, tz))


def person_asked(turn: Turn) -> Outcome:
    """A request for a person typed at any step: the support chat, as /support opens it."""
    return switch(HUMAN_FLOW, f"{turn.conv.flow}:{turn.conv.state} {turn.event.text}")


class Support(Flow):
    """The customer's side of a ticket: everything typed here goes to staff."""

    name = "support"
    states: ClassVar = ["chatting"]
    transitions: ClassVar = []
    initial = "chatting"
    answers_questions = False
    menu = (MenuEntry(N_("💬 Support"), order=60),)
    topics = (Topic("person", PERSON, person_asked, everywhere=True),)

    async def begin(self, turn: Turn, args: str) -> Outcome:
        origin, _, said = args.partition(" ")
        reason = "problem" if origin.startswith("kz_move") else "customer"
        ticket, created = await open_ticket(turn, reason, origin, said)
        turn.data["ticket"] = ticket.id
        if said:
            await relay_customer_text(turn.tx, ticket, said, turn.now, turn.event.message_id)
        text = (
            turn._(
                "I have opened support request #{number}. Write your question here; a staff "
                "member will answer in this chat."
            )
            if created
            else turn._(
                "Your support request #{number} is still open. Write here and staff will see it."
            )
        ).format(number=ticket.id)
        notice = await hours_notice(turn, ticket)
        if notice:
            text += "\n\n" + notice
        if not turn.resources.staff_desk:
            text += "\n\n" + contacts_text(turn)
        return quiet(Reply(text, rows([CloseRequest().button(turn._("Close the request"))])))

    async def prompt(self, turn: Turn) -> list[Reply]:
        return [Reply(turn._("Write your message for support, or send /menu to go back."))]

    def takes_number(self, turn: Turn) -> bool:
        return True  # everything typed here is for a person: "1" is words, not an option

    async def holds(self, turn: Turn) -> bool:
        ticket = await turn.tx.tickets.open_for(turn.user.id)
        return ticket is not None and ticket.status == "handling"

    async def handle(self, turn: Turn, event: Event) -> Outcome:
        ticket = await turn.tx.tickets.open_for(turn.user.id)
        if event.kind is Kind.ACTION:
            if CloseRequest.parse(event.action) is None:
                return stale()
            return Outcome(finished=True, say=await self.cancel(turn))
        if ticket is None:
            # Staff closed the request while the customer was still writing: the message is
            # never dropped; it opens a new request.
            ticket, _ = await open_ticket(turn, "customer", "support:chatting")
            turn.data["ticket"] = ticket.id
            await _relay(turn, ticket, event)
            reopened = turn._(
                "Your previous request was closed, so I have opened request #{number} "
                "for this message."
            )
            return quiet(Reply(reopened.format(number=ticket.id)))
        await _relay(turn, ticket, event)
        if ticket.status == "handling":
            return quiet()
        reply = turn._("Sent to support. Staff will answer in this chat.")
        notice = await hours_notice(turn, ticket)
        if notice:
            reply += "\n\n" + notice
        return quiet(Reply(reply))

    async def cancel(self, turn: Turn) -> list[Reply]:
        ticket = await turn.tx.tickets.open_for(turn.user.id)
        if ticket is None:
            return []
        if not await turn.tx.tickets.move(ticket, "closed", turn.now):
            return []  # staff closed it meanwhile: their notice tells the customer, once
        await turn.tx.outbox.add(
            "staff", {"type": "ticket_closed", "ticket_id": ticket.id, "by": "customer"}, turn.now
        )
        return [Reply(turn._("Support request #{number} is closed.").format(number=ticket.id))]

    def help(self, turn: Turn) -> str:
        return turn._(
            "Everything you write here goes to our support staff. Send /menu to leave; the "
            "request stays open."
        )


async def _relay(turn: Turn, ticket: Ticket, event: Event) -> None:
    # While staff handle the ticket, a command is words for them too.
    typed = f"/{event.command} {event.text}".strip() if event.kind is Kind.COMMAND else event.text
    await relay_customer_text(turn.tx, ticket, typed, turn.now, event.message_id, event.attachment)


def contacts_text(turn: Turn) -> str:
    """How to reach people directly (R-KR-ORD-6, R-KZ-SUP-1)."""
    config = policy.market_config(turn.market)
    return turn._("Support: {phones}{email}.").format(
        phones=", ".join(config.support.phones),
        email=f", {config.support.email}" if config.support.email else "",
    )
