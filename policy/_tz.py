"""Time-zone loading that prefers the ``tzdata`` package over the operating system's copy."""

from __future__ import annotations

import functools
from importlib import resources
from zoneinfo import ZoneInfo


@functools.cache
def load_zone(name: str) -> ZoneInfo:
    """The zone ``name`` from the pip ``tzdata`` package, else from the system.

    ``zoneinfo`` looks at the system database first, and container images often ship an old
    one; Asia/Almaty moved from UTC+6 to UTC+5 on 2024-03-01, so a stale copy would shift every
    Kazakh cut-off by an hour. The pinned ``tzdata`` dependency keeps the rules current.
    """
    try:
        resource = resources.files("tzdata.zoneinfo").joinpath(*name.split("/"))
        with resource.open("rb") as fh:
            return ZoneInfo.from_file(fh, key=name)
    except (ModuleNotFoundError, FileNotFoundError, IsADirectoryError):
        return ZoneInfo(name)
