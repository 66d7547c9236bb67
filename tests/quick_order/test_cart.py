"""Filling the cart: the menu path, quick commands, totals and free shipping, edits."""

from __future__ import annotations

from core.actions import MenuChoice
from core.engine import Engine
from core.flow import Resources
from flows.quick_order.actions import ChooseProduct, Qty
from flows.registry import default_flows
from flows.start import StartLanguage, StartMarket
from tests.dialogue import Dialogue
from tests.quick_order.helpers import fill_cart


async def test_menu_path_to_the_cart(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.press(MenuChoice("quick_order"))
    dialogue.expect("What would you like to order?").expect_buttons("Single oils", "Blends")
    await dialogue.tap("Blends")
    dialogue.expect("Blends: which product?").expect_buttons("On Guard 15 mL · ₩45,300")
    await dialogue.tap("On Guard")
    dialogue.expect("How many On Guard 15 mL · ₩45,300?").expect_buttons("1", "5", "Back")
    await dialogue.tap("1")
    dialogue.expect(
        "Added to your cart: On Guard × 1.",
        "Your cart (1 item)",
        "Subtotal: ₩45,300",
        "Shipping: ₩4,500 (add ₩4,700 more for free shipping)",
        "Total: ₩49,800",
    ).expect_buttons("Checkout", "Add more", "Edit cart")


async def test_exactly_50000_ships_free(dialogue: Dialogue) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon 1, wild orange 2")
    dialogue.expect(
        "Lemon 15 mL × 1 = ₩18,000",
        "Wild Orange 15 mL × 2 = ₩32,000",
        "Subtotal: ₩50,000",
        "Shipping: free",
        "Total: ₩50,000",
    ).expect_not("more for free shipping")


async def test_quantity_must_be_1_to_99(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("/order")
    await dialogue.tap("Single oils")
    await dialogue.tap("Lemon")
    for typed in ("0", "100", "a few", "-3"):
        await dialogue.say(typed)
        dialogue.expect("type a quantity from 1 to 99", "How many Lemon")
    await dialogue.say("12")
    dialogue.expect("Lemon × 12", "₩216,000")


async def test_typo_in_a_quick_command_still_matches(dialogue: Dialogue) -> None:
    await fill_cart(dialogue, "en", "KR", "lavendar 2, lemon")
    dialogue.expect(
        "Added to your cart: Lavender × 2, Lemon × 1.", "Subtotal: ₩88,000", "Shipping: free"
    )


async def test_what_was_not_understood_is_said_item_by_item_before_anything_is_added(
    dialogue: Dialogue,
) -> None:
    await fill_cart(dialogue, "en", "KR", "unicorn tears 2, lemon 200, tea tree")
    dialogue.expect(
        "Here is what I understood:",
        "✅ Tea Tree × 1",
        "❌ I couldn't find “unicorn tears” in the catalogue.",
        "❌ “lemon”: the quantity must be a number from 1 to 99.",
        "Nothing is in your cart yet.",
    ).expect_not("Added to your cart")
    await dialogue.tap("Add what I understood")
    dialogue.expect("Added to your cart: Tea Tree × 1.", "Your cart (1 item)")


async def test_an_order_typed_again_replaces_the_one_not_understood(dialogue: Dialogue) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon, unicorn")
    dialogue.expect("✅ Lemon × 1", "❌ I couldn't find “unicorn”")
    await dialogue.say("lemon 2, lavender")
    dialogue.expect("Added to your cart: Lemon × 2, Lavender × 1.", "Your cart (3 items)")


async def test_nothing_found_is_a_miss_and_the_step_is_asked_again(dialogue: Dialogue) -> None:
    await fill_cart(dialogue, "en", "KR", "unicorn")
    dialogue.expect("I couldn't find “unicorn”", "What would you like to order?")


async def test_ambiguous_name_asks_with_buttons(engine: Engine) -> None:
    d = Dialogue(engine, "olga")
    await fill_cart(d, "en", "KR", "ла 2, lemon")
    d.expect("✅ Lemon × 1", "Which one did you mean by “ла”?").expect_not("Added to your cart")
    d.expect_buttons("Lavender 15 mL · ₩35,000", "Frankincense 15 mL · ₩98,000", "None of these")
    await d.tap("Frankincense")
    d.expect(
        "Added to your cart: Lemon × 1, Frankincense × 2.", "Frankincense 15 mL × 2 = ₩196,000"
    )


async def test_ambiguous_name_can_be_answered_by_typing_or_skipped(dialogue: Dialogue) -> None:
    await fill_cart(dialogue, "en", "KR", "ла, ла 3")
    await dialogue.say("lavender")
    dialogue.expect("Lavender × 1", "Which one did you mean by “ла”?")
    await dialogue.tap("None of these")
    dialogue.expect("Your cart (1 item)")


async def test_typed_names_add_at_the_category_step(dialogue: Dialogue) -> None:
    await dialogue.onboard("en", "KR")
    await dialogue.say("/order")
    await dialogue.say("peppermint 2")
    dialogue.expect("Added to your cart: Peppermint × 2.", "Subtotal: ₩66,000")


async def test_cart_edits_change_remove_and_empty(dialogue: Dialogue) -> None:
    await fill_cart(dialogue, "en", "KR", "lavender 2, lemon")
    await dialogue.tap("Edit cart")
    dialogue.expect("Which product do you want to change?")
    dialogue.expect_buttons("Lavender × 2", "Lemon × 1", "Empty the cart", "Done")
    await dialogue.tap("Lavender × 2")
    dialogue.expect("Lavender: 2 in the cart.")
    await dialogue.say("5")
    dialogue.expect("Lavender: now 5.", "Lavender 15 mL × 5 = ₩175,000")
    await dialogue.tap("Edit cart")
    await dialogue.tap("Lemon")
    await dialogue.tap("Remove")
    dialogue.expect("Lemon removed from the cart.", "Your cart (5 items)").expect_not("Lemon 15")
    await dialogue.tap("Edit cart")
    await dialogue.tap("Empty the cart")
    dialogue.expect("Your cart is now empty.", "Your cart is empty.")
    dialogue.expect_buttons("Browse products")


async def test_cart_survives_leaving_the_flow_and_cancel(dialogue: Dialogue) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon 3")
    await dialogue.say("/cancel")
    dialogue.expect("Your cart is kept: send /cart to see it.")
    await dialogue.say("/menu")
    await dialogue.press(MenuChoice("quick_order"))
    dialogue.expect_buttons("Cart (3)")
    await dialogue.say("/cart")
    dialogue.expect("Lemon 15 mL × 3 = ₩54,000")


async def test_old_buttons_are_stale(dialogue: Dialogue) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon")
    await dialogue.press(Qty(n=3))
    dialogue.expect("no longer valid", "Your cart (1 item)")
    await dialogue.press(ChooseProduct("KR-NOPE"))
    dialogue.expect("no longer valid")


async def test_switching_market_starts_an_empty_cart(dialogue: Dialogue) -> None:
    await fill_cart(dialogue, "en", "KR", "lemon")
    await dialogue.say("/start")
    await dialogue.press(StartLanguage(code="en"))
    await dialogue.press(StartMarket(market="KZ"))
    await dialogue.say("/cart")
    dialogue.expect("Your cart is empty.")


async def test_a_market_without_catalogue_says_so(db, clock) -> None:
    engine = Engine(db, default_flows(), resources=Resources(catalogs={}), clock=clock)
    d = Dialogue(engine, "zoe")
    await d.onboard("en", "KR")
    await d.say("/order lemon")
    d.expect("Ordering is not available for your market right now.", "What would you like to do?")
