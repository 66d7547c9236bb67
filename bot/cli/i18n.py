"""`orderbot i18n update|compile|check`: the translation catalogues (bot/i18n_tool.py)."""

from __future__ import annotations

import argparse
import sys

from bot import i18n_tool


def register_i18n(commands: argparse._SubParsersAction) -> None:
    i18n = commands.add_parser(
        "i18n", help="translation catalogues: extract, update, compile, check"
    )
    i18n.add_argument("action", choices=["update", "compile", "check"])
    i18n.add_argument("--domain", help="only this domain (core, quick_order, kz_move, telegram)")
    i18n.set_defaults(run=_i18n)


def _i18n(args: argparse.Namespace) -> None:
    sys.exit(i18n_tool.main(args.action, args.domain))
