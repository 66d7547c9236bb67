"""The auto-order's steps: the shared picker (flows/shopping/picker.py) with its own cart, then
the day, address, phone, card confirmation and summary; My auto-orders and one template with
its changes (each saying which run it reaches, services/lrp.py).

This module assembles the steps; they live in picking.py (the picker's part), setup.py (the day
to the summary), manage.py (My auto-orders and one template), with what they share in
common.py."""

from __future__ import annotations

from core.i18n import N_
from core.steps import Step
from flows.lrp.actions import (
    CancelAsk,
    CancelYes,
    CardOk,
    ChangeAddress,
    ChangeDay,
    ChangeProducts,
    Create,
    Day,
    NewTemplate,
    Open,
    Pause,
    Resume,
    Skip,
    Unskip,
)
from flows.lrp.manage import (
    LIST_HELP,
    TEMPLATE_HELP,
    cancel_ask,
    cancel_prompt,
    cancel_yes,
    change_address,
    change_day,
    change_products,
    list_prompt,
    list_typed,
    new_tapped,
    open_tapped,
    pause_tapped,
    resume_tapped,
    skip_tapped,
    template_prompt,
    unskip_tapped,
)
from flows.lrp.picking import PICKER
from flows.lrp.setup import (
    DELIVERY,
    RECIPIENT,
    card_ok,
    chose_day,
    create_tapped,
    created_prompt,
    day_prompt,
    day_tapped,
    payment_prompt,
    payment_typed,
    review_prompt,
    typed_day,
)

STEPS = (
    *PICKER.steps(),
    Step(
        "day",
        prompt=day_prompt,
        on={Day: day_tapped},
        validate=typed_day,
        answer=chose_day,
        help=N_("Send the day of the month for your auto-order, from 1 to 31."),
        number=True,  # "5" is the 5th, never the fifth button
    ),
    *DELIVERY.steps(),
    RECIPIENT.step(),
    Step(
        "payment",
        prompt=payment_prompt,
        on={CardOk: card_ok},
        answer=payment_typed,
        help=N_("Tap “I pay by card and I am the payer” to go on."),
        free_text=True,
    ),
    Step(
        "review",
        prompt=review_prompt,
        on={Create: create_tapped},
        help=N_("Tap “Create the auto-order”, or change something below."),
    ),
    Step(
        "created",
        prompt=created_prompt,
        help=N_("Tap My auto-orders to see it, or Menu."),
    ),
    Step(
        "list",
        prompt=list_prompt,
        on={Open: open_tapped, NewTemplate: new_tapped},
        answer=list_typed,
        help=LIST_HELP,
    ),
    Step(
        "template",
        prompt=template_prompt,
        on={
            ChangeProducts: change_products,
            ChangeDay: change_day,
            ChangeAddress: change_address,
            Skip: skip_tapped,
            Unskip: unskip_tapped,
            Pause: pause_tapped,
            Resume: resume_tapped,
            CancelAsk: cancel_ask,
        },
        help=TEMPLATE_HELP,
    ),
    Step(
        "confirm_cancel",
        prompt=cancel_prompt,
        on={CancelYes: cancel_yes},
        help=N_("Tap “Yes, cancel it” or “No, keep it”."),
    ),
)
