"""Shared fixtures: the repository root and the golden vectors."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

REPO = Path(os.environ.get("GUARDRAILS_REPO", Path(__file__).resolve().parents[2]))
VECTORS = REPO / "vectors"


def load_vectors() -> List[Tuple[str, Dict[str, Any]]]:
    """Every case of every `vectors/**/*.json` file (one case or an array), as (id, case)."""
    cases: List[Tuple[str, Dict[str, Any]]] = []
    for path in sorted(VECTORS.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data if isinstance(data, list) else [data]
        for i, case in enumerate(items):
            name = str(path.relative_to(VECTORS))
            cases.append((name if len(items) == 1 else f"{name}[{i}]", case))
    return cases


VECTOR_CASES = load_vectors()
_checked: List[str] = []


@pytest.fixture
def vector_log() -> List[str]:
    return _checked


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(
        f"{len(_checked)} of {len(VECTOR_CASES)} golden vectors checked from {VECTORS}"
    )
