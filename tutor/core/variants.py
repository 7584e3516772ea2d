"""Randomised exercise variants: each learner gets a stable pick of each parameter.

An exercise's `params` list the values a parameter may take; `{name}` in its prompt and
expressions is replaced by this learner's pick. SymPy-free, so `show` can use it cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping

from msgspec.structs import replace

from tutor.core.model import DerivationExercise


def choose_variant(exercise: DerivationExercise, variant_key: str) -> dict[str, str]:
    """The parameter values for this learner: stable for one key, spread across keys."""
    import hashlib  # here: loading OpenSSL costs the app's start-up ~2 ms it rarely needs

    variant = {}
    for name, values in exercise.params:
        digest = hashlib.sha256(f"{variant_key}\0{exercise.id}\0{name}".encode()).digest()
        variant[name] = values[int.from_bytes(digest[:8], "big") % len(values)]
    return variant


def apply_variant(text: str, variant: Mapping[str, str]) -> str:
    """Fill `{name}` placeholders with the variant's values."""
    for name, value in variant.items():
        text = text.replace("{" + name + "}", value)
    return text


def with_variant(exercise: DerivationExercise, variant: Mapping[str, str]) -> DerivationExercise:
    """The exercise as this learner sees it: placeholders in its texts filled in."""

    def fill(text: str) -> str:
        return apply_variant(text, variant)

    return replace(
        exercise,
        title=fill(exercise.title),
        prompt=fill(exercise.prompt),
        solution=fill(exercise.solution),
        hints=tuple(fill(hint) for hint in exercise.hints),
        intermediates=tuple((name, fill(text)) for name, text in exercise.intermediates),
        parts=tuple(replace(part, label=fill(part.label)) for part in exercise.parts),
    )
