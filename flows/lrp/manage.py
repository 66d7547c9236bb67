"""My auto-orders and one template: the list, the template's screen and its changes (products,
day, address, skip, pause, resume, cancel), each saying which run it reaches
(services/lrp.py)."""

from __future__ import annotations

from datetime import date

from core.flow import Turn
from core.i18n import N_
from core.parsing import typed_whole_number
from core.types import Button, Outcome, Reply, go, invalid, rows, stale, stay
from flows.lrp import texts
from flows.lrp.actions import (
    CancelAsk,
    CancelYes,
    ChangeAddress,
    ChangeDay,
    ChangeProducts,
    NewTemplate,
    Open,
    Pause,
    Resume,
    Skip,
    ToTemplate,
    Unskip,
)
from flows.lrp.common import (
    ADDRESS,
    DAY,
    PRODUCTS,
    cart,
    focused,
    list_button,
    other_market_button,
    rules_button,
    start_setup,
)
from flows.shopping.common import catalog, catalog_of, menu_button
from services import lrp
from storage.records import LrpTemplate


# -- My auto-orders --------------------------------------------------------------------------
async def list_prompt(turn: Turn) -> list[Reply]:
    templates = await turn.tx.lrp.of_user(turn.user.id, turn.market)
    extra = [NewTemplate().button(turn._("➕ New auto-order")), rules_button(turn)]
    if turn.market == "KZ":
        extra.append(other_market_button(turn))
    extra.append(menu_button(turn))
    if not templates:
        text = turn._("You have no auto-order yet.")
        return [Reply(text, rows(extra, per_row=1))]
    opens = [Open(t.id).button(turn._("Auto-order #{id}").format(id=t.id)) for t in templates]
    lines = [texts.summary_line(turn, t) for t in templates]
    text = turn._("Your auto-orders:") + "\n" + "\n".join(lines)
    return [Reply(text, rows(opens) + rows(extra, per_row=1))]


async def new_tapped(turn: Turn, tapped: NewTemplate) -> Outcome:
    start_setup(turn)
    return go("to_categories")


async def open_tapped(turn: Turn, tapped: Open) -> Outcome:
    template = await lrp.owned(turn.tx, turn.user.id, tapped.id)
    if template is None or template.status == lrp.CANCELLED:
        return stale()
    turn.data["tid"] = template.id
    return go("to_template")


async def list_typed(turn: Turn, text: str) -> Outcome:
    number = typed_whole_number(text.lstrip("#"), 1, 2**53)
    templates = await turn.tx.lrp.of_user(turn.user.id, turn.market)
    found = next((t for t in templates if t.id == number), None)
    if found is None:
        return invalid(turn._(LIST_HELP))
    turn.data["tid"] = found.id
    return go("to_template")


LIST_HELP = N_("Tap an auto-order to see or change it, or “New auto-order”.")


# -- one template ----------------------------------------------------------------------------
async def template_prompt(turn: Turn) -> list[Reply]:
    template = await focused(turn)
    if template is None or template.status == lrp.CANCELLED:
        return [Reply(turn._("This auto-order is no longer there."), ((list_button(turn),),))]
    text = texts.template_text(turn, template, catalog_of(turn))
    buttons: list[Button] = []
    if template.status == lrp.ACTIVE:
        skipped = template.skip_period is not None
        buttons += [
            ChangeProducts().button(turn._("🛒 Change products")),
            ChangeDay().button(turn._("📅 Change the day")),
            ChangeAddress().button(turn._("📍 Change the address")),
            Unskip().button(turn._("↩️ Don't skip"))
            if skipped
            else Skip().button(turn._("⏭ Skip the next run")),
            Pause().button(turn._("⏸ Pause")),
        ]
    else:
        buttons.append(Resume().button(turn._("▶️ Resume")))
    buttons += [CancelAsk().button(turn._("✖️ Cancel the auto-order")), list_button(turn)]
    return [Reply(text, rows(buttons))]


async def _template_or_stale(turn: Turn) -> LrpTemplate | None:
    template = await focused(turn)
    return template if template is not None and template.status != lrp.CANCELLED else None


async def _active_or_stale(turn: Turn) -> LrpTemplate | None:
    """The template in focus while it runs (not paused, not cancelled); None: a stale button."""
    template = await _template_or_stale(turn)
    return template if template is not None and template.status == lrp.ACTIVE else None


async def change_products(turn: Turn, tapped: ChangeProducts) -> Outcome:
    template = await _active_or_stale(turn)
    if template is None:
        return stale()
    cart(turn).clear()
    source = lrp.pending_lines(template) or template.lines
    for line in source:
        if catalog(turn).get(line.sku) is not None:
            cart(turn).put(line.sku, line.quantity)
    turn.data["mode"] = PRODUCTS
    return go("to_cart")


async def change_day(turn: Turn, tapped: ChangeDay) -> Outcome:
    template = await _active_or_stale(turn)
    if template is None:
        return stale()
    turn.data["mode"] = DAY
    return go("to_day")


async def change_address(turn: Turn, tapped: ChangeAddress) -> Outcome:
    template = await _active_or_stale(turn)
    if template is None:
        return stale()
    turn.data["mode"] = ADDRESS
    return go("to_address")


async def skip_tapped(turn: Turn, tapped: Skip) -> Outcome:
    template = await _active_or_stale(turn)
    if template is None:
        return stale()
    return stay(Reply(skip_text(turn, template, await lrp.skip(turn.tx, template, turn.now))))


def skip_text(turn: Turn, template: LrpTemplate, run: date) -> str:
    text = turn._("The run on {run} will be skipped: no order is made for it.").format(
        run=turn.t.day(run)
    )
    if run != template.next_run:
        text += " " + turn._(
            "The run on {next} is past its change deadline and goes ahead."
        ).format(next=turn.t.day(template.next_run))
    return text


async def unskip_tapped(turn: Turn, tapped: Unskip) -> Outcome:
    template = await _template_or_stale(turn)
    if template is None or template.skip_period is None:
        return stale()
    await lrp.unskip(turn.tx, template, turn.now)
    return stay(Reply(turn._("Fine: that run is made as planned.")))


async def pause_tapped(turn: Turn, tapped: Pause) -> Outcome:
    template = await _active_or_stale(turn)
    if template is None:
        return stale()
    applied = await lrp.change(turn.tx, template, turn.now, status=lrp.PAUSED)
    if applied.pending:
        note = (
            turn._("Your auto-order will be paused.")
            + " "
            + texts.applied_text(turn, template, applied)
        )
    else:
        note = turn._("Your auto-order is paused: no run is made until you resume it.")
    return stay(Reply(note))


async def resume_tapped(turn: Turn, tapped: Resume) -> Outcome:
    template = await _template_or_stale(turn)
    if template is None or template.status != lrp.PAUSED:
        return stale()
    applied = await lrp.change(turn.tx, template, turn.now, status=lrp.ACTIVE)
    note = turn._("Your auto-order is running again. Next run: {run}.").format(
        run=turn.t.day(applied.run)
    )
    return stay(Reply(note))


async def cancel_ask(turn: Turn, tapped: CancelAsk) -> Outcome:
    return go("ask_cancel") if await _template_or_stale(turn) else stale()


async def cancel_prompt(turn: Turn) -> list[Reply]:
    text = turn._("Cancel this auto-order? No further runs will be made.")
    yes = CancelYes().button(turn._("Yes, cancel it"))
    no = ToTemplate().button(turn._("No, keep it"))
    return [Reply(text, rows([yes, no]))]


async def cancel_yes(turn: Turn, tapped: CancelYes) -> Outcome:
    template = await _template_or_stale(turn)
    if template is None:
        return stale()
    applied = await lrp.change(turn.tx, template, turn.now, status=lrp.CANCELLED)
    if applied.pending:
        note = (
            turn._("Your auto-order will be cancelled.")
            + " "
            + texts.applied_text(turn, template, applied)
        )
        return go("to_template", Reply(note))
    return go(
        "to_list", Reply(turn._("Your auto-order #{id} is cancelled.").format(id=template.id))
    )


TEMPLATE_HELP = N_("Tap what you want to change, skip, pause or cancel, or go back to the list.")
