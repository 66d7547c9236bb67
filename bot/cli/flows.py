"""`orderbot flows`: write the flows' state diagrams (docs/flows)."""

from __future__ import annotations

import argparse
from pathlib import Path

from flows.docs import write_diagrams


def register_flows(commands: argparse._SubParsersAction) -> None:
    flows = commands.add_parser("flows", help="write the flows' state diagrams (docs/flows)")
    flows.add_argument("--out", default="docs/flows")
    flows.set_defaults(run=_flows)


def _flows(args: argparse.Namespace) -> None:
    for path in write_diagrams(Path(args.out)):
        print(path)
