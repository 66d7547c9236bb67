"""Per-market data files (``kr.toml``, ``kz.toml``) read by :mod:`policy.config`.

Operators edit the TOML files; this package exists so the files ship as package data.
"""
