"""Generated documentation stays in step with the code."""

from __future__ import annotations

from pathlib import Path

from flows.docs import write_diagrams

DOCS = Path(__file__).resolve().parents[1] / "docs" / "flows"


def test_flow_diagrams_are_current(tmp_path: Path) -> None:
    for generated in write_diagrams(tmp_path):
        committed = DOCS / generated.name
        assert committed.exists(), f"{committed.name} missing: run `make diagrams`"
        assert committed.read_text() == generated.read_text(), (
            f"{committed.name}: run `make diagrams`"
        )


def test_every_flow_is_in_the_index() -> None:
    index = (DOCS / "README.md").read_text()
    for generated in DOCS.glob("*.diagram.md"):
        flow = generated.name.removesuffix(".diagram.md")
        assert f"`{flow}`" in index, f"docs/flows/README.md does not describe {flow}"
