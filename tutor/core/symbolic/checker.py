"""Checking a learner's answers to a derivation exercise, part by part.

The expected answer of a part is computed by SymPy from the exercise's forward expression
(`of`, `wrt`), or read from its explicit `expected`. Answers may use the exercise's
intermediates (`z`, `a`, …); both sides are expanded into the declared variables, with the
exercise's constraints applied, before they are compared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TypeVar, cast

import sympy

from tutor.core.model import DerivationExercise, DerivationPart
from tutor.core.symbolic.equivalence import Domain, compare
from tutor.core.symbolic.feedback import derivative_numerator, diagnose
from tutor.core.symbolic.parser import ParseError, Vocabulary, parse, pretty
from tutor.core.symbolic.results import CheckResult, PartResult
from tutor.core.variants import apply_variant, choose_variant

T = TypeVar("T")

UNDECIDED_FEEDBACK = (
    "The checker could not decide whether this is equivalent to the expected answer, so it "
    "was not marked wrong. Try writing it in a simpler form."
)
GENERIC_WRONG = (
    "Not equivalent to the expected derivative. Check each local derivative on the path."
)


@dataclass(frozen=True)
class Intermediate:
    """A named sub-expression: its symbol and its definition in earlier names."""

    symbol: sympy.Symbol
    definition: sympy.Expr


class PreparedExercise:
    """An exercise's symbols, intermediates and expected answers, built once per variant."""

    def __init__(self, exercise: DerivationExercise, variant: Mapping[str, str]) -> None:
        self.exercise = exercise
        self.variant = dict(variant)
        self._memo: dict[tuple[str, str], object] = {}
        self.variables = {v.name: _symbol(v.name, v.domain) for v in exercise.variables}
        self.domains = {self.variables[v.name]: Domain.parse(v.domain) for v in exercise.variables}
        self.intermediates = self._parse_intermediates()
        self.vocabulary = self._vocabulary(self.intermediates)
        self.constraints = {
            self.variables[name]: self.parse(expr) for name, expr in exercise.constraints
        }
        for constrained in self.constraints:
            self.domains.pop(constrained, None)

    def _vocabulary(self, intermediates: list[Intermediate]) -> Vocabulary:
        symbols: dict[str, sympy.Symbol] = dict(self.variables)
        symbols.update({i.symbol.name: i.symbol for i in intermediates})
        return Vocabulary(symbols=symbols, functions=frozenset(self.exercise.functions))

    def _parse_intermediates(self) -> list[Intermediate]:
        defined: list[Intermediate] = []
        for name, text in self.exercise.intermediates:
            vocabulary = self._vocabulary(defined)
            definition = parse(apply_variant(text, self.variant), vocabulary)
            defined.append(Intermediate(sympy.Symbol(name, real=True), definition))
        return defined

    def parse(self, text: str) -> sympy.Expr:
        """Parse the author's text (placeholders filled) with every declared name available."""
        return parse(apply_variant(text, self.variant), self.vocabulary)

    def parse_answer(self, text: str) -> sympy.Expr:
        """Parse a learner's text exactly as typed: it is never a template."""
        return parse(text, self.vocabulary)

    def expand(self, expr: sympy.Expr, after: sympy.Symbol | None = None) -> sympy.Expr:
        """Replace intermediates by their definitions (only those defined after `after`)."""
        chain = self.intermediates
        if after is not None:
            index = next(n for n, i in enumerate(chain) if i.symbol == after)
            chain = chain[index + 1 :]
        for intermediate in reversed(chain):  # later ones may use earlier ones
            expr = expr.subs(intermediate.symbol, intermediate.definition)
        return expr

    def in_variables(self, expr: sympy.Expr) -> sympy.Expr:
        """Fully expanded into declared variables, with the constraints applied."""
        return self.expand(expr).subs(self.constraints)

    def symbol(self, name: str) -> sympy.Symbol:
        """A declared variable or intermediate by name."""
        symbol = self.vocabulary.symbols[name]
        assert isinstance(symbol, sympy.Symbol)
        return symbol

    def is_intermediate(self, symbol: sympy.Symbol) -> bool:
        """True for a named intermediate rather than a declared variable."""
        return any(i.symbol == symbol for i in self.intermediates)

    @cached_property
    def expected(self) -> dict[str, sympy.Expr]:
        """Each part's expected answer, in declared variables."""
        return {part.id: self.in_variables(self.expected_raw(part)) for part in self.exercise.parts}

    def expected_raw(self, part: DerivationPart) -> sympy.Expr:
        """The expected answer as the author would write it (may use intermediates)."""
        if part.expected is not None:
            return self.parse(part.expected)
        assert part.of is not None and part.wrt is not None  # guaranteed by the loader
        wrt = self.symbol(part.wrt)
        forward = self.parse(part.of)
        if self.is_intermediate(wrt):
            return sympy.diff(self.expand(forward, after=wrt), wrt)
        return sympy.diff(self.expand(forward), wrt)

    def cached(self, what: str, part: DerivationPart, compute: Callable[[DerivationPart], T]) -> T:
        """`compute(part)`, computed once per part: feedback on wrong answers reuses it."""
        key = (what, part.id)
        if key not in self._memo:
            self._memo[key] = compute(part)
        return cast(T, self._memo[key])

    def known_mistakes(self, part: DerivationPart) -> tuple[sympy.Expr, ...]:
        """The part's known wrong answers, in declared variables."""
        return tuple(self.in_variables(self.parse(m.answer)) for m in part.mistakes)

    def forward(self, part: DerivationPart) -> sympy.Expr | None:
        """The value being differentiated, in declared variables, when the part has one."""
        return None if part.of is None else self.in_variables(self.parse(part.of))

    def local_factors(self, part: DerivationPart) -> dict[str, sympy.Expr]:
        """The local derivatives on the chain from the part's variable to its output, labelled,
        for "you left out ∂a/∂z" feedback.

        Only edges on some path from `wrt` to `of` in the dependency graph (each
        intermediate, and the output, depends on the names its definition uses) are
        candidates: a factor off that path cannot be one the learner left out. The part's own
        edge (`of` using `wrt` directly) is left out too: "∂S/∂r" would name the very
        derivative being asked for. Parts without `of` and `wrt` have no path: no factors.
        """
        return self._factors(part, beyond=False)

    def extra_factors(self, part: DerivationPart) -> dict[str, sympy.Expr]:
        """The local derivatives a learner may have multiplied in by mistake, for "your answer
        has an extra factor" feedback: those of `local_factors` (counted twice) and those
        past the variable, on the way to it (∂h1/∂s1 for ∂L/∂h1: the chain went on to s1).
        """
        return self._factors(part, beyond=True)

    def _factors(self, part: DerivationPart, beyond: bool) -> dict[str, sympy.Expr]:
        if part.of is None or part.wrt is None:
            return {}
        wrt = self.symbol(part.wrt)
        forward = self.parse(part.of)
        nodes = [(i.symbol, i.symbol.name, i.definition) for i in self.intermediates]
        output: sympy.Symbol = sympy.Dummy("output")
        if any(forward == symbol for symbol, _, _ in nodes):
            output = cast(sympy.Symbol, forward)  # `of` is an intermediate itself: y1
        else:
            name = derivative_numerator(self.label(part)) or "L"
            nodes.append((output, name, forward))
        # Definitions only use earlier names, so one pass in order finds every node that
        # depends on `wrt`, and one in reverse every name the output (or `wrt`) depends on.
        after_wrt = {wrt}
        for node, _, definition in nodes:
            if definition.free_symbols & after_wrt:
                after_wrt.add(node)
        before_output, before_wrt = {output}, {wrt}
        for node, _, definition in reversed(nodes):
            if node in before_output:
                before_output |= definition.free_symbols
            if node in before_wrt:
                before_wrt |= definition.free_symbols
        factors: dict[str, sympy.Expr] = {}
        for node, name, definition in nodes:
            for symbol in sorted(definition.free_symbols, key=lambda s: s.name):
                on_path = node in before_output and symbol in after_wrt
                if node == output and symbol == wrt:
                    continue  # the derivative asked for
                if not (on_path or (beyond and node in before_wrt)):
                    continue
                local = sympy.diff(definition, symbol)
                if local.free_symbols:  # constants are the "factor" diagnosis's job
                    label = f"∂{name}/∂{symbol.name} = {pretty(local)}"
                    factors[label] = self.in_variables(local)
        return factors

    def other_derivatives(self, part: DerivationPart) -> dict[str, sympy.Expr]:
        """Derivatives of the same forward value by the other declared variables."""
        if part.of is None or part.wrt is None:
            return {}
        forward = self.expand(self.parse(part.of))
        name = derivative_numerator(self.label(part))
        return {
            f"∂{name}/∂{symbol.name}" if name else f"its derivative by {symbol.name}": (
                self.in_variables(sympy.diff(forward, symbol))
            )
            for symbol in self.variables.values()
            if symbol.name != part.wrt and symbol not in self.constraints
        }

    def label(self, part: DerivationPart) -> str:
        """The part's label as this variant's learner reads it (`{n}` filled in)."""
        return apply_variant(part.label, self.variant)


def _symbol(name: str, domain: str) -> sympy.Symbol:
    # Assumptions help the symbolic side (sqrt(x²) = x for positive x); sampling uses domains.
    if domain == "positive":
        return sympy.Symbol(name, positive=True)
    if domain == "negative":
        return sympy.Symbol(name, negative=True)
    if domain == "nonnegative":
        return sympy.Symbol(name, nonnegative=True)
    return sympy.Symbol(name, real=True)


@lru_cache(maxsize=64)
def prepare(exercise: DerivationExercise, variant: tuple[tuple[str, str], ...]) -> PreparedExercise:
    """The prepared exercise for one variant, kept for the next answer to the same exercise."""
    return PreparedExercise(exercise, dict(variant))


def check_exercise(
    exercise: DerivationExercise, answers: Mapping[str, str], variant_key: str = ""
) -> CheckResult:
    """Check each answered part; parts not in `answers` are not checked."""
    variant = choose_variant(exercise, variant_key)
    prepared = prepare(exercise, tuple(sorted(variant.items())))
    results = tuple(
        check_part(prepared, part, answers[part.id])
        for part in exercise.parts
        if part.id in answers
    )
    return CheckResult(results, variant)


def check_part(prepared: PreparedExercise, part: DerivationPart, text: str) -> PartResult:
    """The verdict on one answer, with feedback on the mistake when it is wrong."""
    label = prepared.label(part)
    try:
        raw = prepared.parse_answer(text)
    except ParseError as error:
        return PartResult(
            part.id, label, "invalid", text, None, error.message, "parse", error.position
        )
    parsed = pretty(raw)
    answer = prepared.in_variables(raw)
    expected = prepared.expected[part.id]
    comparison = compare(answer, expected, prepared.domains)
    if comparison.decision == "equal":
        return PartResult(part.id, label, "correct", text, parsed, "")
    if comparison.decision == "undecided":
        return PartResult(part.id, label, "undecided", text, parsed, UNDECIDED_FEEDBACK)
    tag, feedback = _explain(prepared, part, answer, expected)
    return PartResult(part.id, label, "incorrect", text, parsed, feedback, tag)


def _explain(
    prepared: PreparedExercise, part: DerivationPart, answer: sympy.Expr, expected: sympy.Expr
) -> tuple[str | None, str]:
    known_mistakes = prepared.cached("mistakes", part, prepared.known_mistakes)
    for mistake, known in zip(part.mistakes, known_mistakes, strict=True):
        if compare(answer, known, prepared.domains).decision == "equal":
            return "known", apply_variant(mistake.feedback, prepared.variant)
    diagnosis = diagnose(
        answer,
        expected,
        domains=prepared.domains,
        forward=prepared.cached("forward", part, prepared.forward),
        other_derivatives=prepared.cached("others", part, prepared.other_derivatives),
        local_factors=prepared.cached("factors", part, prepared.local_factors),
        extra_factors=prepared.cached("extras", part, prepared.extra_factors),
        label=prepared.label(part),
    )
    if diagnosis is None:
        return None, GENERIC_WRONG
    return diagnosis.tag, diagnosis.message


def preview(exercise: DerivationExercise, text: str, variant_key: str = "") -> str:
    """How `text` is read ("interpreted as"); raises ParseError with a message if it cannot be."""
    variant = choose_variant(exercise, variant_key)
    return pretty(prepare(exercise, tuple(sorted(variant.items()))).parse_answer(text))
