"""The notation cheat sheet only promises what the parser really reads."""

from __future__ import annotations

import re

import pytest
import sympy

from tutor.core.symbolic.functions import HELPERS
from tutor.core.symbolic.parser import Vocabulary, parse
from tutor.ui.screens.dialogs import NOTATION

NAMES = ("x", "y", "z", "yhat", "ŷ", "w1", "w_1")
VOCABULARY = Vocabulary(
    symbols={name: sympy.Symbol(name, real=True) for name in NAMES},
    functions=frozenset(HELPERS),
)


def examples() -> list[str]:
    """Every `code` in the "You type" column of the table."""
    rows = [line for line in NOTATION.splitlines() if line.startswith("| `")]
    return [
        text.replace("\\|", "|")
        for row in rows
        for text in re.findall(r"`([^`]+)`", row.split(" | ")[0])
    ]


def test_the_sheet_has_examples() -> None:
    assert len(examples()) >= 20


@pytest.mark.parametrize("text", examples())
def test_every_example_parses(text: str) -> None:
    parse(text, VOCABULARY)
