"""The `orderbot` command: chat in the terminal, run the Telegram bot, operate the store.

One module per command group, each with a `register_<group>` function that adds its
sub-command; `main` (the console script) builds the parser from `REGISTER`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable

from bot.cli.chat import register_chat
from bot.cli.db import register_db
from bot.cli.flows import register_flows
from bot.cli.i18n import register_i18n
from bot.cli.jobs import register_jobs
from bot.cli.lrp import register_lrp
from bot.cli.orders import register_orders
from bot.cli.returns import register_returns
from bot.cli.run import register_run
from bot.settings import Settings
from storage.db import SchemaError

Register = Callable[[argparse._SubParsersAction], None]
DESCRIPTION = "chat in the terminal, run the Telegram bot, operate the store"

REGISTER: list[Register] = [
    register_chat,
    register_db,
    register_i18n,
    register_flows,
    register_orders,
    register_lrp,
    register_returns,
    register_run,
    register_jobs,
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="orderbot", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    for register in REGISTER:
        register(commands)
    args = parser.parse_args(argv)
    # The terminal chat is a conversation, not a log: only warnings interrupt it.
    level = "WARNING" if args.command == "chat" else Settings().log_level
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        args.run(args)
    except SchemaError as error:
        sys.exit(f"orderbot: {error}")
    except KeyboardInterrupt:
        pass
    except BrokenPipeError:
        # The reader went away (`orderbot chat ... | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
