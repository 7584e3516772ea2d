"""A whitelisting parser for the maths learners type: text → SymPy, without ever running it.

Student text never reaches `eval`, `exec`, `sympify`, `parse_expr` or `lambdify`. A small
tokenizer reads it character by character (only characters listed here are accepted), and a
precedence-climbing parser builds SymPy objects directly (`Add`, `Mul`, `Pow`, `Integer`,
`Rational`, the functions in `functions.py`). Anything else is a `ParseError` with a short,
specific message and, where it helps, the 0-based offset it points at.

Notation (what is accepted, and how it is read):

* Operators: `+`, `-` (also `−` U+2212, `–`, `—`), `*` (also `·`, `⋅`, `×`, `∗`), `/` (also
  `÷`), `^` and `**`. Precedence, loosest first: `+ -`; `* /` and implicit multiplication
  (one level, left to right: `a/b/c` = (a/b)/c and `1/2 x` = `1/2x` = x/2); unary `-`, `+`
  and `√`; `^` (right-associative: `x^y^z` = x^(y^z)); superscripts and function calls.
  So `-x^2` = −(x²), `2^-1` = 1/2, `√x^2` = √(x²), `2x^2` = 2·x².
* Implicit multiplication: `2x`, `2(x+1)`, `(a-y)(1-a)`, `w x`, `x(1-x)` (x a variable),
  `2σ(z)`, `σ(z)(1-σ(z))`, `|x||y|`. Two number literals in a row (`2 3`, `x²2`) are refused.
* An exponent written without parentheses and followed directly (no space) by another
  factor is refused as ambiguous: `e^2x`, `e^-x(1+x)`, `x^2y` (write `e^(2x)` or `e^2·x`);
  with a space (`x^2 y`) it is read as multiplication (x²·y).
* Superscripts: `x²`, `x³`, `x¹⁰`, `x⁻¹`, `x⁻²` (⁰–⁹ with an optional leading ⁻ or ⁺).
* Fractions: `½`, `⅓`, `⅔`, `¼`, `¾`, `⅕`, `⅙`, `⅛` are numbers (`½(a − y)²`).
* Numbers: integers and decimals, read exactly (`0.5` → 1/2, `.25` → 1/4), and scientific
  notation, also exact (`1e-3` = `1E-3` = `1e−3` = 1/1000, `2e3` = `2e+3` = 2000, `1.5e-2` =
  3/200): a number, then `e` or `E`, an optional sign and whole-number digits, with no spaces
  between. Anything else after a number's `e` is read as usual: `2e` and `2e^x` are 2·e and
  2·e^x (Euler's number), `2e-x` and `2e - 3` are 2·e − x and 2·e − 3. Where the same text
  also reads as a product with a declared variable — `1e-3` when `e` is a variable (1·e − 3),
  `2e1` when `e1` is one (2·e1) — it is refused as ambiguous: write 10^-3 for the number, or
  `1*e-3`, `2*e1` for the variable. (`2e3` with `e` declared is still 2000: 2·e3 would name
  no variable.)
* Names: declared variables always win; then functions; then the constants `e` and
  `pi`/`π`. A declared variable can also be typed in a few plain-keyboard spellings: a Greek
  letter by its English name (`η` ↔ `eta`), a hat or bar by a suffix (`ŷ` ↔ `yhat`, `y_hat`;
  `ȳ` ↔ `ybar`), a subscript digit with or without `_` (`w₁` ↔ `w_1` ↔ `w1`) — unless that
  spelling is itself declared or would fit two variables.
* A name that is not known is split into known names when that can be done in exactly one
  way (`wx` → w·x with w and x declared; `xσ(z)` → x·σ(z); `πr` → π·r); a function name
  may only be the last piece. Two possible splits (`abc` with a, ab, bc, c declared) are
  refused as ambiguous. Words of more than 30 characters are not split.
* Functions need parentheses: `σ(z)`, `exp(x)`, not `σ z`. Standard ones (always allowed):
  `exp`, `log` = `ln` (natural), `sqrt`, `sin`, `cos`, `tan`, `sinh`, `cosh`, `tanh`, `sech`,
  `abs`, `sign`, `step`/`heaviside` (H(0) = 1/2), `max`/`min` (2–10 arguments separated by
  commas; commas are refused anywhere else). Helpers (`σ`/`sigma`/`sigmoid`, `relu`,
  `softplus`, `swish`, `leaky_relu`) only when the exercise allows them. Also `√x`, `|x|`.
* A power of a function may be written on its name: `tanh²(z)`, `sech^2(z)`, `σ²(z)` mean
  (tanh(z))² etc.; `f⁻¹(x)` (inverse function notation) is refused.
* A prime after a function name is its derivative: `σ'(z)` = σ(z)(1 − σ(z)), `tanh'(z)`,
  `relu'(z)` = Heaviside(z) (`'`, `′` or `’`; one prime only).

* `e` and `π` are constants only while no variable of that name is declared; `σ` (and its
  spelling `sigma`) likewise: with σ declared, `σ(z)` is σ·z and `sigmoid(z)` is the helper.
* Results that are undefined or not real are refused: division by zero, `log(0)`, `√(−1)`.

Limits (each refused with its own message; see the MAX_* constants): at most 2,000
characters (checked before any other work, so a megabyte is refused in microseconds);
500 nodes (numbers, names, operations); nesting 50 deep (parentheses, bars, calls, signs and
exponents together, so no input reaches Python's recursion limit); functions nested 4 deep;
exponents nested 4 deep; 40 function calls; 10 derivatives written with a prime, never one
inside another's argument (σ'(σ'(z)) would double in size at every level); 15 digits in a
number literal (before any `e`), and a power of ten in scientific notation of at most 100
in absolute value; a constant exponent (and a constant argument of exp, sinh, cosh, tanh,
sech and the helpers) of at most 100 in absolute value, so towers such as 2^2^2^2^2 and
9**9**9**9 are refused while symbolic exponents are fine; powers of numbers under 4,000
bits; 10 roots, irrational powers or functions of numbers (√2, 2^π, σ(1)), each nested at
most 2 deep. SymPy's automatic evaluation is kept cheap: standard functions of anything but
a small rational number are built unevaluated (sin(π/6) stays as typed), as are powers
whose evaluation would ask costly questions about the sign of their base.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sympy
from sympy import S
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

# SymPy imports these lazily the first time an Add is built or an assumption is asked; import
# them now so that the first parse does not pay ~50 ms for it.
import sympy.assumptions.wrapper  # isort: skip
import sympy.sets.setexpr  # isort: skip
import sympy.tensor.tensor  # isort: skip

from tutor.core.symbolic.functions import (
    CONSTANTS,
    HELPER_ALIASES,
    HELPERS,
    STANDARD,
    VARIADIC,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NODES",
    "ParseError",
    "Vocabulary",
    "parse",
    "pretty",
]

MAX_LENGTH = 2000
"""Most characters an answer may have; checked before any other work."""
MAX_NODES = 500
"""Most numbers, names and operations in one expression."""
MAX_DEPTH = 50
"""Deepest nesting of parentheses, bars, calls, signs and exponents."""
MAX_DIGITS = 15
"""Most digits in one number literal."""
MAX_EXPONENT = 100
"""Largest absolute value of a constant exponent (also of a constant argument of `exp`)."""
MAX_NUMBER_BITS = 4000
"""Largest number (in bits) a power of numbers may produce (about 1,200 decimal digits)."""
MAX_ARGS = 10
"""Most arguments of `max`/`min`."""
MAX_SPLIT = 30
"""Longest unknown word that is tried as a product of known names."""
MAX_FUNCTION_DEPTH = 4
"""Deepest nesting of functions, |…| and √ (σ(tanh(√|x|)) is 4): SymPy's questions about
the sign of deeply nested functions can take tens of milliseconds."""
MAX_CONSTANTS = 10
"""Most roots, irrational powers and functions of numbers (√2, 3^(1/3), 2^π, e^√2, σ(1)):
SymPy factors, merges and evaluates them numerically, which costs milliseconds each."""
MAX_CONSTANT_DEPTH = 2
"""Deepest nesting of functions and roots inside such a constant (σ(√2) is 2)."""
MAX_CALLS = 40
"""Most function applications (σ(…), exp(…), |…|, √…, σ'(…)) in one expression."""
MAX_ROOT_BITS = 64
"""Largest number (in bits) whose non-integer power may be taken."""
MAX_PRIMES = 10
"""Most derivatives written with a prime (σ'(z)) in one expression."""
MAX_POWER_DEPTH = 4
"""Deepest nesting of exponents (`x^y^z^w` is 3; `exp(…)` counts as one): SymPy's work on
power towers grows steeply with their height."""


@dataclass(frozen=True)
class Vocabulary:
    """What an answer may mention: the exercise's variables and its extra helper functions."""

    symbols: Mapping[str, Any]
    """Declared variables and intermediates by name (Greek such as `η`, `ŷ` as declared),
    each a `sympy.Symbol`."""
    functions: frozenset[str] = frozenset()
    """Canonical names of the helpers allowed beyond `STANDARD` (keys of `HELPERS`)."""

    def __post_init__(self) -> None:
        unknown = sorted(set(self.functions) - set(HELPERS))
        if unknown:
            raise ValueError(
                f"unknown helper function(s) {', '.join(unknown)}; known: {', '.join(HELPERS)}"
            )
        if any(not name for name in self.symbols):
            raise ValueError("symbol names must be non-empty")


class ParseError(Exception):
    """The text could not be read. `str(e)` is one short sentence for the learner."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        """The sentence shown to the learner."""
        self.position = position
        """0-based offset into the text the message points at, or None."""

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- characters

_MINUS = "-−–—﹣－"
_TIMES = "*·⋅×∗•"
_DIVIDE = "/÷∕"
_PRIMES = "'′’"
_SUPERSCRIPT_DIGITS = {c: str(i) for i, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}
_SUPERSCRIPT_SIGNS = {"⁻": -1, "⁺": 1}
_VULGAR_FRACTIONS = {"½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4),
                     "⅕": (1, 5), "⅙": (1, 6), "⅛": (1, 8)}  # fmt: skip
"""Lessons write ½(y − ŷ)², so learners type it."""
_SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"

_REFUSED: dict[str, str] = {
    "=": "write only the right-hand side, without `=`",
    "<": "comparisons (`<`) are not allowed: write an expression",
    ">": "comparisons (`>`) are not allowed: write an expression",
    "≤": "comparisons (`≤`) are not allowed: write an expression",
    "≥": "comparisons (`≥`) are not allowed: write an expression",
    "≠": "comparisons (`≠`) are not allowed: write an expression",
    "!": "`!` (factorial) is not supported",
    "[": "square brackets are not allowed: use ( ) for grouping",
    "]": "square brackets are not allowed: use ( ) for grouping",
    "{": "curly braces are not allowed: use ( ) for grouping",
    "}": "curly braces are not allowed: use ( ) for grouping",
    '"': "quotes are not allowed: write only maths",
    "`": "quotes are not allowed: write only maths",
    "\\": "`\\` is not allowed: LaTeX commands are not supported (write sqrt(x), σ(z), …)",
    ";": "`;` is not allowed: write one expression",
    ":": "`:` is not allowed: write one expression",
    "%": "`%` is not supported: write /100 or use a fraction",
    "∂": "`∂` is not allowed: write the derivative itself, not d…/d…",
    "∑": "`∑` is not supported: write the terms out",
}
_UNEXPECTED_SUFFIX = " is not allowed here: use numbers, names, + − · / ^ and ( )"


def _describe(ch: str) -> str:
    """A character as a message shows it: printable ones in backticks, the rest by code."""
    category = unicodedata.category(ch)
    if category[0] in "CZ" or category in ("Mn", "Me", "Mc"):
        return f"U+{ord(ch):04X}"
    return f"`{ch}` (U+{ord(ch):04X})" if ord(ch) > 0x7F else f"`{ch}`"


def _word_start(ch: str) -> bool:
    return ch.isalpha() or ch == "_"


def _word_part(ch: str) -> bool:
    return (
        ch.isalpha()
        or ch == "_"
        or "0" <= ch <= "9"
        or ch in _SUBSCRIPT_DIGITS
        or unicodedata.category(ch) in ("Mn", "Mc")
    )


# --------------------------------------------------------------------------- names

_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "ο": "omicron", "π": "pi", "ρ": "rho",
    "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi",
    "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda",
    "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}  # fmt: skip
_SPELLED = {spelled: letter for letter, spelled in reversed(_GREEK.items())}
_MARKS = {"\u0302": "hat", "\u0304": "bar", "\u0305": "bar", "\u0303": "tilde"}
_MARK_OF = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303"}


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _spellings(name: str) -> set[str]:
    """Other ways to type the declared name `name` on a plain keyboard (and back)."""
    variants = {_nfc(name)}
    # A letter with a hat/bar/tilde: ŷ ↔ yhat, y_hat.
    for form in list(variants):
        for suffix, mark in _MARK_OF.items():
            for sep in ("_", ""):
                if len(form) > len(sep + suffix) and form[1:].startswith(sep + suffix):
                    variants.add(_nfc(form[0] + mark + form[1 + len(sep + suffix) :]))
    for form in list(variants):
        nfd = unicodedata.normalize("NFD", form)
        if len(nfd) >= 2 and nfd[1] in _MARKS:
            suffix, rest = _MARKS[nfd[1]], _nfc(nfd[2:])
            variants |= {nfd[0] + suffix + rest, nfd[0] + "_" + suffix + rest}
    # Greek letters by name: η ↔ eta.
    for form in list(variants):
        if form[0] in _GREEK:
            variants.add(_GREEK[form[0]] + form[1:])
        for spelled, letter in _SPELLED.items():
            if form.startswith(spelled) and (
                len(form) == len(spelled) or not form[len(spelled)].isalpha()
            ):
                variants.add(letter + form[len(spelled) :])
    # Subscript digits: w₁ ↔ w_1 ↔ w1.
    for form in list(variants):
        stem = form.rstrip("0123456789_" + _SUBSCRIPT_DIGITS)
        tail = form[len(stem) :]
        digits = "".join(
            str(_SUBSCRIPT_DIGITS.index(c)) if c in _SUBSCRIPT_DIGITS else c
            for c in tail
            if c != "_"
        )
        if stem and digits and tail.lstrip("_") and "_" not in tail.lstrip("_"):
            sub = "".join(_SUBSCRIPT_DIGITS[int(c)] for c in digits)
            variants |= {stem + digits, stem + "_" + digits, stem + sub}
    return variants


@dataclass(frozen=True)
class _Function:
    name: str
    """How messages show it."""
    build: Callable[..., Any]
    variadic: bool = False


@dataclass(frozen=True)
class _Name:
    kind: str  # "sym", "const" or "func"
    value: Any


class _Names:
    """The names one parse can resolve, built from a `Vocabulary`."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        table: dict[str, _Name] = {}
        for name, symbol in vocabulary.symbols.items():
            table[_nfc(name)] = _Name("sym", symbol)
        aliases: dict[str, _Name | None] = {}
        for name, symbol in vocabulary.symbols.items():
            for spelling in _spellings(name):
                if spelling in table:
                    continue
                seen = aliases.get(spelling)
                aliases[spelling] = (
                    _Name("sym", symbol) if spelling not in aliases or seen == _Name("sym", symbol)
                    else None
                )  # fmt: skip
        for spelling, resolved in aliases.items():
            if resolved is not None:
                table[spelling] = resolved
        for name, build in STANDARD.items():
            display = "log" if name == "ln" else name
            table.setdefault(name, _Name("func", _Function(display, build, name in VARIADIC)))
        self.disallowed: dict[str, str] = {}
        for alias, canonical in HELPER_ALIASES.items():
            cls = HELPERS[canonical]
            if canonical in vocabulary.functions:
                table.setdefault(alias, _Name("func", _Function(cls.display, cls)))
            else:
                self.disallowed[alias] = canonical
        for name, value in CONSTANTS.items():
            table.setdefault(name, _Name("const", value))
        self.table = table
        self.pieces = sorted((n for n in table if len(n) <= MAX_SPLIT), key=len, reverse=True)
        self.declared = list(vocabulary.symbols)
        self.helpers = [HELPERS[c].display for c in HELPERS if c in vocabulary.functions]

    def you_can_use(self) -> str:
        names = self.declared + [f"{h}(…)" for h in self.helpers]
        if not self.declared:
            names = ["numbers", *names]
        shown = names[:12] + (["…"] if len(names) > 12 else [])
        return "you can use " + ", ".join(shown)

    def splits(self, word: str) -> list[list[str]]:
        """Up to two ways to write `word` as known names (a function only as the last)."""
        n = len(word)
        ways = [0] * (n + 1)
        ways[n] = 1
        for i in range(n - 1, -1, -1):
            count = 0
            for piece in self.pieces:
                if word.startswith(piece, i) and (
                    self.table[piece].kind != "func" or i + len(piece) == n
                ):
                    count += ways[i + len(piece)]
                    if count >= 2:
                        break
            ways[i] = min(count, 2)
        found: list[list[str]] = []

        def walk(i: int, acc: list[str]) -> None:
            if len(found) >= 2:
                return
            if i == n:
                found.append(list(acc))
                return
            for piece in self.pieces:
                end = i + len(piece)
                if (
                    word.startswith(piece, i)
                    and ways[end]
                    and (self.table[piece].kind != "func" or end == n)
                ):
                    acc.append(piece)
                    walk(end, acc)
                    acc.pop()

        if ways[0]:
            walk(0, [])
        return found


# --------------------------------------------------------------------------- tokens


@dataclass
class _Token:
    kind: str
    """NUM SUP SYM CONST FUNC OP LP RP BAR COMMA SQRT END."""
    pos: int
    end: int
    text: str
    value: Any = None
    primes: int = 0


def _shorten(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tokenize(text: str, names: _Names) -> list[_Token]:
    tokens: list[_Token] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        category = unicodedata.category(ch)
        if ch in "\t\n\r":
            i += 1
            continue
        if category == "Cc":
            raise ParseError(f"control character {_describe(ch)} is not allowed", i)
        if category in ("Cf", "Cs", "Co", "Cn"):
            raise ParseError(f"invisible or unusual character {_describe(ch)} is not allowed", i)
        if ch.isspace():
            i += 1
            continue
        if "0" <= ch <= "9" or (ch == "." and i + 1 < n and "0" <= text[i + 1] <= "9"):
            i = _number(text, i, tokens, names)
        elif ch in _SUPERSCRIPT_DIGITS or ch in _SUPERSCRIPT_SIGNS:
            i = _superscript(text, i, tokens)
        elif ch in _VULGAR_FRACTIONS:
            tokens.append(_Token("NUM", i, i + 1, ch, sympy.Rational(*_VULGAR_FRACTIONS[ch])))
            i += 1
        elif _word_start(ch):
            j = i + 1
            while j < n and _word_part(text[j]):
                j += 1
            _word(text, i, j, names, tokens)
            i = j
        elif ch in _PRIMES:
            last = tokens[-1] if tokens else None
            if last is not None and last.kind == "FUNC" and last.end == i:
                if last.primes:
                    raise ParseError(
                        "only first derivatives can be written with a prime, as in σ'(z)", i
                    )
                last.primes += 1
                last.end = i + 1
            elif last is not None and last.kind in ("SYM", "CONST") and last.end == i:
                raise ParseError("a prime ' can only follow a function name, as in σ'(z)", i)
            else:
                raise ParseError("quotes are not allowed: write only maths", i)
            i += 1
        elif ch == "*" and text.startswith("**", i):
            tokens.append(_Token("OP", i, i + 2, "**", "^"))
            i += 2
        elif ch == "+" or ch in _MINUS or ch in _TIMES or ch in _DIVIDE or ch == "^":
            op = "-" if ch in _MINUS else "*" if ch in _TIMES else "/" if ch in _DIVIDE else ch
            if op == "/" and text.startswith("//", i):
                raise ParseError("`//` is not allowed: use `/` to divide", i)
            tokens.append(_Token("OP", i, i + 1, ch, op))
            i += 1
        elif ch in "()|,√":
            kind = {"(": "LP", ")": "RP", "|": "BAR", ",": "COMMA", "√": "SQRT"}[ch]
            tokens.append(_Token(kind, i, i + 1, ch))
            i += 1
        elif ch == ".":
            raise ParseError("`.` can only be a decimal point, as in 0.5", i)
        elif ch in _REFUSED:
            raise ParseError(_REFUSED[ch], i)
        else:
            raise ParseError(f"{_describe(ch)}{_UNEXPECTED_SUFFIX}", i)
        if len(tokens) > 2 * MAX_NODES:
            raise ParseError(
                f"the expression is too long: at most {MAX_NODES} numbers, names and operations",
                tokens[-1].pos,
            )
    tokens.append(_Token("END", n, n, "end"))
    return tokens


def _number(text: str, i: int, tokens: list[_Token], names: _Names) -> int:
    n = len(text)
    j = i
    while j < n and "0" <= text[j] <= "9":
        j += 1
    whole = text[i:j]
    fraction = ""
    if j < n and text[j] == ".":
        k = j + 1
        while k < n and "0" <= text[k] <= "9":
            k += 1
        if k == j + 1:
            raise ParseError("a decimal point needs digits after it, as in 0.5", j)
        fraction = text[j + 1 : k]
        j = k
    if len(whole) + len(fraction) > MAX_DIGITS:
        raise ParseError(f"this number is too long: at most {MAX_DIGITS} digits", i)
    value = sympy.Rational(int(whole or "0") * 10 ** len(fraction) + int(fraction or "0"),
                           10 ** len(fraction))  # fmt: skip
    scientific = _scientific(text, i, j, names)
    if scientific is not None:
        j, power = scientific
        value *= sympy.Rational(10) ** power
    tokens.append(_Token("NUM", i, j, text[i:j], value))
    return j


_EXPONENT_SIGNS = "+" + _MINUS


def _scientific(text: str, start: int, j: int, names: _Names) -> tuple[int, int] | None:
    """(end, power of ten) when the number `text[start:j]` goes on in scientific notation.

    That is `e` or `E`, an optional sign and digits, all directly after the number; else
    None, and what follows is read as usual (`2e` = 2·e). Refused (`ParseError`) when the
    power is too large or not whole, or when the text also reads as a product with a
    declared variable (see the module docstring): `2e-3` with a variable `e` is 2·e − 3 too.
    """
    n = len(text)
    if j >= n or text[j] not in "eE":
        return None
    k = j + 1
    negative = False
    if k < n and text[k] in _EXPONENT_SIGNS:
        negative = text[k] in _MINUS
        k += 1
    end = k
    while end < n and "0" <= text[end] <= "9":
        end += 1
    if end == k:
        return None
    literal, mantissa, digits = text[start:end], text[start:j], text[k:end]
    power = -int(digits) if negative else int(digits)
    shown = ("" if mantissa == "1" else f"{mantissa}·") + f"10^{power}"
    variable = _declared_after_number(text, j, k, names)
    if variable is not None:
        raise ParseError(
            f"`{_shorten(literal)}` is ambiguous: {variable} is a variable here. Write "
            f"{shown} for the number, or put `*` after {mantissa} to multiply by {variable}",
            start,
        )
    if len(digits.lstrip("0")) > 3 or abs(power) > MAX_EXPONENT:
        raise ParseError(
            f"the power of ten in `{_shorten(literal)}` is too large: at most {MAX_EXPONENT}",
            start,
        )
    if end < n and text[end] == "." and end + 1 < n and "0" <= text[end + 1] <= "9":
        raise ParseError(
            f"the power of ten after `{text[j]}` must be a whole number, as in 1e-3", end
        )
    return end, power


def _declared_after_number(text: str, j: int, k: int, names: _Names) -> str | None:
    """The declared variable `text[j:]` would use if the number before it were not in
    scientific notation, or None when that reading would name no variable (or fail).

    `text[j]` is the `e`/`E` after a number and `k` where its digits start (after any
    sign). With a sign the letter stands alone (`2e-3` would be 2·e − 3); without one, the
    letters and digits after the number form one word (`2e1` would be 2·e1), read as
    `_word` reads it.
    """
    if k != j + 1:
        letter = names.table.get(text[j])
        return text[j] if letter is not None and letter.kind == "sym" else None
    end = j
    while end < len(text) and _word_part(text[end]):
        end += 1
    word = _nfc(text[j:end])
    resolved = names.table.get(word)
    if resolved is not None:
        return word if resolved.kind == "sym" else None
    for split in names.splits(word) if len(word) <= MAX_SPLIT else []:
        for piece in split:
            if names.table[piece].kind == "sym":
                return piece
    return None


def _superscript(text: str, i: int, tokens: list[_Token]) -> int:
    n = len(text)
    j = i
    sign = 1
    if text[j] in _SUPERSCRIPT_SIGNS:
        sign = _SUPERSCRIPT_SIGNS[text[j]]
        j += 1
    k = j
    while k < n and text[k] in _SUPERSCRIPT_DIGITS:
        k += 1
    if k == j:
        raise ParseError("a superscript sign needs digits after it, as in x⁻¹", i)
    if k - j > 3:
        raise ParseError(f"exponent too large: at most {MAX_EXPONENT}", i)
    digits = "".join(_SUPERSCRIPT_DIGITS[c] for c in text[j:k])
    tokens.append(_Token("SUP", i, k, text[i:k], sympy.Integer(sign * int(digits))))
    return k


def _word(text: str, start: int, end: int, names: _Names, tokens: list[_Token]) -> None:
    word = text[start:end]
    key = _nfc(word)
    resolved = names.table.get(key)
    if resolved is not None:
        tokens.append(_token_for(resolved, key, start, end))
        return
    splits = names.splits(key) if len(key) <= MAX_SPLIT else []
    if len(splits) == 1:
        pos = start
        same_length = len(key) == len(word)
        for piece in splits[0]:
            piece_end = pos + len(piece) if same_length else end
            tokens.append(_token_for(names.table[piece], piece, pos, piece_end))
            pos = piece_end if same_length else start
        tokens[-1].end = end
        return
    if len(splits) >= 2:
        a, b = ("·".join(s) for s in splits[:2])
        raise ParseError(
            f"`{_shorten(word)}` is ambiguous: it could be {a} or {b}; use `*` or spaces", start
        )
    if key in names.disallowed:
        shown = HELPERS[names.disallowed[key]].display
        raise ParseError(f"{shown} is not available in this exercise", start)
    for prefix, resolved in names.table.items() if len(key) <= MAX_SPLIT else ():
        if resolved.kind == "func" and key.startswith(prefix) and len(key) > len(prefix):
            rest = key[len(prefix) :]
            if rest in names.table or names.splits(rest):
                raise ParseError(
                    f"put the argument of {prefix} in parentheses, as in {prefix}({rest})", start
                )
    raise ParseError(f"unknown name `{_shorten(word)}` — {names.you_can_use()}", start)


def _token_for(resolved: _Name, text: str, start: int, end: int) -> _Token:
    kind = {"sym": "SYM", "const": "CONST", "func": "FUNC"}[resolved.kind]
    return _Token(kind, start, end, text, resolved.value)


# --------------------------------------------------------------------------- parser

_OPERAND_START = frozenset({"NUM", "SYM", "CONST", "FUNC", "LP", "SQRT", "BAR"})


def _is_sign(token: _Token) -> bool:
    return token.kind == "OP" and token.value in ("+", "-")


def _can_start(token: _Token) -> bool:
    """Whether `token` can begin an operand where one is expected (a `|` then opens)."""
    return token.kind in _OPERAND_START or _is_sign(token)


def _not_real(expr: Any, what: str | Callable[[], str], token: _Token) -> None:
    """Refuse a result that is undefined (division by zero, log 0) or imaginary (√−1).

    `what` names the result in the message; a callable is only called when it is needed.
    """
    undefined = expr.has(S.ComplexInfinity, S.NaN, S.Infinity, S.NegativeInfinity)
    if undefined or expr.has(S.ImaginaryUnit):
        name = what if isinstance(what, str) else what()
        problem = "is undefined (division by zero)" if undefined else "is not a real number"
        raise ParseError(f"{name} {problem}", token.pos)


class _Parser:
    """Precedence climbing over the tokens; builds SymPy objects as it goes."""

    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.nodes = 0
        self.bars = 0
        self.charged: set[int] = set()
        self.calls = 0
        self.primes = 0
        self.in_prime = False
        self.power_depth = 0
        self.function_depth = 0

    # -- helpers

    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def count(self, token: _Token) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ParseError(
                f"the expression is too long: at most {MAX_NODES} numbers, names and operations",
                token.pos,
            )

    def enter(self, token: _Token, function: bool = False) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ParseError(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", token.pos
            )
        if function:
            self.function_depth += 1
            if self.function_depth > MAX_FUNCTION_DEPTH:
                raise ParseError(
                    f"functions nested more than {MAX_FUNCTION_DEPTH} deep "
                    "(like σ(tanh(√|exp(x)|))) are not supported",
                    token.pos,
                )

    def leave(self, function: bool = False) -> None:
        self.depth -= 1
        self.function_depth -= function

    def enter_exponent(self, token: _Token) -> None:
        self.power_depth += 1
        if self.power_depth > MAX_POWER_DEPTH:
            raise ParseError(
                f"powers nested more than {MAX_POWER_DEPTH} deep (x^y^z^…) are not supported",
                token.pos,
            )

    def starts_operand(self, token: _Token) -> bool:
        return token.kind in _OPERAND_START and not (token.kind == "BAR" and self.bars)

    # -- grammar

    def parse(self) -> Any:
        expr = self.sum()
        token = self.peek()
        if token.kind != "END":
            if token.kind == "RP":
                raise ParseError("`)` has no matching `(`", token.pos)
            if token.kind == "COMMA":
                raise ParseError(_COMMA, token.pos)
            raise ParseError(f"unexpected {token.text}", token.pos)  # pragma: no cover
        return expr

    def sum(self) -> Any:
        terms = [self.term()]
        while self.peek().kind == "OP" and self.peek().value in "+-":
            op = self.take()
            self.count(op)
            term = self.term()
            terms.append(-term if op.value == "-" else term)
        return terms[0] if len(terms) == 1 else sympy.Add(*terms)

    def term(self) -> Any:
        first = self.peek()
        factors = [self.unary()]
        while True:
            token = self.peek()
            if token.kind == "OP" and token.value in "*/":
                self.take()
                self.count(token)
                factor = self.unary()
                if token.value == "/":
                    if factor.is_Number and factor == 0:
                        raise ParseError("division by zero", token.pos)
                    factor = self.make_pow(factor, S.NegativeOne, token)
                factors.append(factor)
            elif self.starts_operand(token):
                before = self.tokens[self.i - 1]
                if token.kind == "NUM" and before.kind in ("NUM", "SUP"):
                    raise ParseError(
                        f"two numbers in a row (`{before.text}` and `{token.text}`): "
                        "put an operator between them",
                        token.pos,
                    )
                self.count(token)
                factors.append(self.power())
            else:
                break
        if len(factors) == 1:
            return factors[0]
        product = sympy.Mul(*factors)  # may merge roots: √(−e)·√(−e) would be −e, but …
        _not_real(product, "this product", first)  # … √(−e)/2 is then i·√e/2
        return product

    def unary(self) -> Any:
        token = self.peek()
        if token.kind == "OP" and token.value in "+-":
            self.take()
            self.count(token)
            self.operand_follows(token)
            self.enter(token)
            operand = self.unary()
            self.leave()
            return -operand if token.value == "-" else operand
        return self.power()

    def power(self) -> Any:
        first = self.i
        base = self.postfix()
        token = self.peek()
        if not (token.kind == "OP" and token.value == "^"):
            return base
        self.take()
        self.count(token)
        if not _can_start(self.peek()):
            self.missing_after(token, "an exponent")
        exp_first = self.i
        self.enter(token)
        self.enter_exponent(token)
        exponent = self.unary()
        self.power_depth -= 1
        self.leave()
        following = self.peek()
        if (
            self.tokens[exp_first].kind != "LP"
            and self.starts_operand(following)
            and following.pos == self.tokens[self.i - 1].end
        ):
            base_text = _shorten(self.text[self.tokens[first].pos : token.pos].strip(), 16)
            exp_text = _shorten(self.text[self.tokens[exp_first].pos : following.pos], 16)
            rest = (
                "(…)" if following.kind in ("LP", "BAR") else
                following.text + ("(…)" if following.kind == "FUNC" else "")
            )  # fmt: skip
            raise ParseError(
                f"ambiguous exponent: write {base_text}^({exp_text}{rest}) "
                f"or {base_text}^{exp_text}·{rest}",
                following.pos,
            )
        return self.make_pow(base, exponent, token)

    def postfix(self) -> Any:
        expr = self.primary()
        while self.peek().kind == "SUP":
            sup = self.take()
            self.count(sup)
            expr = self.make_pow(expr, sup.value, sup)
        return expr

    def primary(self) -> Any:
        token = self.peek()
        kind = token.kind
        if kind in ("NUM", "SYM", "CONST"):
            self.take()
            self.count(token)
            return token.value
        if kind == "FUNC":
            self.take()
            self.count(token)
            return self.call(token)
        if kind == "LP":
            self.take()
            if self.peek().kind == "RP":
                raise ParseError("empty parentheses `()`", token.pos)
            self.enter(token)
            saved, self.bars = self.bars, 0
            inner = self.sum()
            self.bars = saved
            self.leave()
            self.close(token, "RP")
            return inner
        if kind == "BAR":
            self.take()
            self.count(token)
            self.enter(token, function=True)
            self.bars += 1
            inner = self.sum()
            self.bars -= 1
            self.leave(function=True)
            self.close(token, "BAR")
            return self.apply(_Function("abs", sympy.Abs), [inner], token)
        if kind == "SQRT":
            self.take()
            self.count(token)
            self.operand_follows(token)
            self.enter(token, function=True)
            inner = self.unary()
            self.leave(function=True)
            return self.make_pow(inner, S.Half, token)
        self.no_operand(token)
        raise AssertionError("unreachable")  # pragma: no cover

    def call(self, name: _Token) -> Any:
        function: _Function = name.value
        power: Any = None
        token = self.peek()
        if token.kind == "SUP" and token.pos == name.end:
            self.take()
            if token.value <= 0:
                raise ParseError(
                    f"{function.name}{token.text}(…) would be an inverse function: "
                    f"write 1/{function.name}(…) or {function.name}(…)^{token.value}",
                    token.pos,
                )
            power = token
        elif (
            token.kind == "OP" and token.value == "^"
            and self.peek(1).kind == "NUM" and self.peek(2).kind == "LP"
        ):  # fmt: skip
            self.take()
            power = self.take()
            if not power.value.is_Integer or power.value <= 0:
                raise ParseError(
                    f"write {function.name}(…)^{power.text} for a power of {function.name}",
                    power.pos,
                )
        opening = self.peek()
        if opening.kind != "LP":
            raise ParseError(
                f"put the argument of {name.text} in parentheses, as in {name.text}(x)",
                opening.pos if opening.kind != "END" else name.pos,
            )
        self.take()
        if self.peek().kind == "RP":
            raise ParseError(f"{name.text}( ) needs an argument", opening.pos)
        self.enter(name, function=True)
        if name.primes:
            if self.in_prime:
                raise ParseError(
                    f"{name.text}' inside the argument of another ' derivative is not "
                    "supported: write the inner derivative out",
                    name.pos,
                )
            self.primes += 1
            if self.primes > MAX_PRIMES:
                raise ParseError(f"at most {MAX_PRIMES} derivatives written with '", name.pos)
        saved, self.bars, saved_prime = self.bars, 0, self.in_prime
        self.in_prime = self.in_prime or bool(name.primes)
        exponent = function.build is sympy.exp
        if exponent:
            self.enter_exponent(name)
        args = [self.sum()]
        while self.peek().kind == "COMMA" and function.variadic:
            comma = self.take()
            self.count(comma)
            if self.peek().kind in ("RP", "COMMA", "END"):
                self.missing_after(comma, "another argument")
            args.append(self.sum())
        self.bars, self.in_prime = saved, saved_prime
        self.power_depth -= exponent
        self.leave(function=True)
        if self.peek().kind == "COMMA":
            raise ParseError(
                f"{name.text} takes one argument (commas only separate the arguments of "
                "max(…) and min(…))",
                self.peek().pos,
            )
        self.close(opening, "RP")
        if function.variadic and not 2 <= len(args) <= MAX_ARGS:
            raise ParseError(
                f"{name.text} takes 2 to {MAX_ARGS} arguments separated by commas", name.pos
            )
        if name.primes:
            if function.variadic:
                raise ParseError(f"{name.text}' is not defined: {name.text} has no derivative "
                                 "of one variable", name.pos)  # fmt: skip
            result = self.derivative(function, args[0], name)
        else:
            result = self.apply(function, args, name)
        if power is not None:
            self.count(power)
            result = self.make_pow(result, power.value, power)
        return result

    # -- building SymPy objects (with the size checks)

    def apply(self, function: _Function, args: list[Any], token: _Token) -> Any:
        self.spend_call(token)
        if function.build in _EXPONENTIAL:
            self.check_exponent(args[0], token, "argument")
        if not function.variadic and not args[0].free_symbols and not _small_number(args[0]):
            self.constant((args[0],), token)
        if function.build is sympy.exp:
            return self.make_pow(S.Exp1, args[0], token)
        if function.build is sympy.sqrt:
            return self.make_pow(args[0], S.Half, token)
        build: Any = function.build
        if build in _HELPER_CLASSES:
            result = build(*args)  # their evaluation is structural and cheap
        else:
            # SymPy's automatic evaluation can cost milliseconds per call (assumptions about a
            # long sum, exact values of sin(kπ/n), factoring for log(n)); built unevaluated
            # the function has the same value, and shows what the learner wrote.
            result = build(*args, evaluate=all(_small_number(a) for a in args))
        _not_real(result, lambda: f"{function.name}({_shorten(pretty(args[0]))})", token)
        return result

    def derivative(self, function: _Function, arg: Any, token: _Token) -> Any:
        self.spend_call(token)
        dummy, derived = _derivative(function.build)
        if derived.has(sympy.DiracDelta):
            raise ParseError(f"{token.text}' is not defined: a step has no ordinary derivative",
                             token.pos)  # fmt: skip
        if function.build in _EXPONENTIAL:
            self.check_exponent(arg, token, "argument")
        if not arg.free_symbols and not _small_number(arg):
            self.constant((arg,), token)
        result = _substitute(derived, dummy, arg)
        _not_real(result, lambda: f"{function.name}'({_shorten(pretty(arg))})", token)
        return result

    def spend_call(self, token: _Token) -> None:
        self.calls += 1
        if self.calls > MAX_CALLS:
            raise ParseError(f"at most {MAX_CALLS} function calls in one answer", token.pos)

    def constant(self, parts: tuple[Any, ...], token: _Token) -> None:
        """Account for a root, irrational power or function of numbers built at `token`.

        SymPy evaluates such constants numerically whenever it asks about their sign, so
        each costs up to milliseconds: at most `MAX_CONSTANTS` of them, nested at most
        `MAX_CONSTANT_DEPTH` deep (√2 and σ(√2) are fine, exp(σ(√2)) is not).
        """
        if 1 + max(_constant_depth(part) for part in parts) > MAX_CONSTANT_DEPTH:
            raise ParseError(
                f"functions and roots of numbers nested more than {MAX_CONSTANT_DEPTH} deep "
                "(like exp(σ(√2))) are not supported: work out the numbers",
                token.pos,
            )
        if token.pos in self.charged:
            return
        self.charged.add(token.pos)
        if len(self.charged) > MAX_CONSTANTS:
            raise ParseError(
                f"at most {MAX_CONSTANTS} roots, powers or functions of numbers "
                "(like √2, 2^π or σ(1)) in one answer",
                token.pos,
            )

    def check_exponent(self, exponent: Any, token: _Token, what: str = "exponent") -> None:
        """Refuse a constant exponent whose absolute value is over `MAX_EXPONENT`."""
        if exponent.is_Rational:
            if abs(exponent) > MAX_EXPONENT:
                raise ParseError(
                    f"{what} {_shorten(str(exponent))} is too large: at most {MAX_EXPONENT}",
                    token.pos,
                )
            return
        if exponent.free_symbols:
            return
        self.constant((exponent,), token)
        try:
            size = abs(complex(exponent.evalf(15)))
        except (TypeError, ValueError, OverflowError):
            size = float("inf")
        if not size <= MAX_EXPONENT:
            raise ParseError(f"{what} too large: at most {MAX_EXPONENT}", token.pos)

    def make_pow(self, base: Any, exponent: Any, token: _Token) -> Any:
        self.check_exponent(exponent, token)
        if base is S.Exp1:
            return sympy.exp(exponent, evaluate=_small_number(exponent))
        if exponent.is_Rational and base.is_Rational:
            if base == 0 and exponent < 0:
                raise ParseError("division by zero", token.pos)
            bits = max(base.p.bit_length(), base.q.bit_length())
            if bits * abs(exponent) > MAX_NUMBER_BITS:
                raise ParseError("this number would be too large", token.pos)
            if not exponent.is_Integer and abs(base) != 1:
                # SymPy factors the number and merges roots in products: keep that small.
                self.constant((base,), token)
                if bits > MAX_ROOT_BITS:
                    raise ParseError("roots of such large numbers are not supported", token.pos)
        elif not exponent.is_Integer and not base.free_symbols and not exponent.free_symbols:
            self.constant((base, exponent), token)  # such as √(1 + √2) or 2^π
        result = sympy.Pow(base, exponent, evaluate=_cheap_power(base, exponent))
        _not_real(result, "this power", token)
        return result

    # -- errors

    def close(self, opening: _Token, kind: str) -> None:
        token = self.peek()
        if token.kind == kind:
            self.take()
            return
        if token.kind == "COMMA":
            raise ParseError(_COMMA, token.pos)
        if kind == "RP":
            raise ParseError("this `(` is never closed: a `)` is missing", opening.pos)
        raise ParseError("this `|` is never closed: a `|` is missing", opening.pos)

    def operand_follows(self, token: _Token) -> None:
        following = self.peek()
        if not _can_start(following):
            self.missing_after(token, "something")

    def missing_after(self, token: _Token, what: str) -> None:
        following = self.peek()
        if following.kind == "END":
            raise ParseError(f"`{token.text}` needs {what} after it", token.pos)
        raise ParseError(
            f"`{following.text}` cannot follow `{token.text}`: {what} is missing between them",
            following.pos,
        )

    def no_operand(self, token: _Token) -> None:
        before = self.tokens[self.i - 1] if self.i else None
        if token.kind == "END":
            if before is None:  # pragma: no cover  (empty text is refused earlier)
                raise ParseError("empty answer: type an expression", 0)
            raise ParseError(f"`{before.text}` needs something after it", before.pos)
        if token.kind == "COMMA":
            raise ParseError(_COMMA, token.pos)
        if token.kind == "RP":
            if before is not None and before.kind in ("OP", "COMMA", "SQRT"):
                raise ParseError(f"`{before.text}` needs something after it", before.pos)
            raise ParseError("`)` has no matching `(`", token.pos)
        if before is None or before.kind in ("LP", "BAR", "COMMA"):
            raise ParseError(f"`{token.text}` needs something before it", token.pos)
        raise ParseError(f"`{token.text}` cannot follow `{before.text}`", token.pos)


_HELPER_CLASSES = frozenset(HELPERS.values())
_EXPONENTIAL = frozenset(
    {sympy.exp, sympy.sinh, sympy.cosh, sympy.tanh, sympy.sech, *HELPERS.values()}
)
"""Functions built on e^x: a constant argument beyond ±MAX_EXPONENT makes SymPy's numeric
evaluation (which its assumptions use) lose all digits to cancellation, e.g. 1 − σ(10⁶)."""


def _cheap_power(base: Any, exponent: Any) -> bool:
    """Whether SymPy may evaluate `base ** exponent` without asking costly assumptions.

    Evaluating a power of |u|, sign(u), a product or a power with a non-integer exponent
    asks whether `u` is real, nonnegative, … which can take tens of milliseconds when `u`
    nests hyperbolic or trigonometric functions; such powers are built unevaluated (equal
    in value, and closer to what was typed).
    """
    if base.is_Atom or base.is_Add:
        return True
    if isinstance(base, sympy.exp) or base.func in _HELPER_CLASSES:
        return bool(exponent.is_Integer)
    if base.is_Function:
        return False
    return bool(exponent.is_Integer)


def _substitute(expr: Any, dummy: Any, arg: Any) -> Any:
    """`expr` with `dummy` replaced by `arg`, standard functions built unevaluated."""
    if expr == dummy:
        return arg
    if not expr.args:
        return expr
    args = [_substitute(a, dummy, arg) for a in expr.args]
    if expr.is_Function and expr.func not in _HELPER_CLASSES:
        return expr.func(*args, evaluate=all(_small_number(a) for a in args))
    if expr.is_Pow:
        return sympy.Pow(*args, evaluate=_cheap_power(*args))
    return expr.func(*args)


def _constant_depth(expr: Any) -> int:
    """How deeply functions and non-integer powers nest in `expr` (√2: 1, σ(√2): 2)."""
    if expr.is_Atom:
        return 0
    if expr.is_Pow and expr.exp.is_Integer:
        return _constant_depth(expr.base)
    inner = max(_constant_depth(arg) for arg in expr.args)
    return inner if expr.is_Add or expr.is_Mul else inner + 1


def _small_number(expr: Any) -> bool:
    """A rational number SymPy can evaluate functions of quickly (|p|, q < 2^64)."""
    return bool(expr.is_Rational) and max(expr.p.bit_length(), expr.q.bit_length()) <= 64


_DERIVATIVES: dict[Any, tuple[Any, Any]] = {}


def _derivative(build: Callable[..., Any]) -> tuple[Any, Any]:
    """(t, f'(t)) for a one-argument function, computed once per function."""
    if build not in _DERIVATIVES:
        dummy = sympy.Dummy("t", real=True)
        _DERIVATIVES[build] = (dummy, sympy.diff(build(dummy), dummy))
    return _DERIVATIVES[build]


_COMMA = "`,` is only allowed between the arguments of max(…) and min(…)"


def parse(text: str, vocabulary: Vocabulary) -> Any:
    """Read `text` as a SymPy expression over `vocabulary`, or raise `ParseError`.

    Nothing in `text` is executed: only the characters and names listed in this module's
    docstring are accepted, and the SymPy objects are built directly. Declared variables are
    the `Symbol`s in `vocabulary.symbols`; helpers come from `functions.py`.
    """
    if len(text) > MAX_LENGTH:
        raise ParseError(f"the answer is too long: at most {MAX_LENGTH:,} characters", None)
    names = _Names(vocabulary)
    tokens = _tokenize(text, names)
    if len(tokens) == 1:
        raise ParseError("empty answer: type an expression", None)
    return _Parser(text, tokens).parse()


# --------------------------------------------------------------------------- printing

_SUPERSCRIPT_OF = dict(zip("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻", strict=True))


class _OneLine(StrPrinter):  # type: ignore[misc]  # SymPy is untyped
    """`str` with maths symbols: σ(z)·(1 − σ(z)), x², e^(−x), √x, |x|, ln(x)."""

    def _text(self, expr: Any) -> str:
        return str(self._print(expr))

    def _paren(self, expr: Any, level: int) -> str:
        return str(self.parenthesize(expr, level, strict=False))

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        base, exp = expr.base, expr.exp
        level = PRECEDENCE["Pow"]
        if exp is S.Half:
            return "√" + self._paren(base, level)
        if exp.is_Rational and exp == -S.Half:
            return "1/√" + self._paren(base, level)
        if exp is S.NegativeOne:
            return "1/" + self._paren(base, level)
        base_text = self._paren(base, level)
        if isinstance(base, sympy.exp):
            base_text = f"({base_text})"
        if exp.is_Integer and exp >= 0:
            return base_text + "".join(_SUPERSCRIPT_OF[c] for c in str(exp))
        return base_text + "^" + self._paren(exp, level)

    def _print_exp(self, expr: Any) -> str:
        arg = expr.args[0]
        if arg.is_Symbol or (arg.is_Integer and arg >= 0):
            return "e^" + self._text(arg)
        return "e^(" + self._text(arg) + ")"

    def _print_Exp1(self, expr: Any) -> str:
        return "e"

    def _print_Pi(self, expr: Any) -> str:
        return "π"

    def _print_log(self, expr: Any) -> str:
        return "ln(" + self._text(expr.args[0]) + ")"

    def _print_Abs(self, expr: Any) -> str:
        return "|" + self._text(expr.args[0]) + "|"

    def _print_Heaviside(self, expr: Any) -> str:
        return "step(" + self._text(expr.args[0]) + ")"

    def _print_ImaginaryUnit(self, expr: Any) -> str:
        return "i"

    def _print_Max(self, expr: Any) -> str:
        return "max(" + ", ".join(self._text(arg) for arg in expr.args) + ")"

    def _print_Min(self, expr: Any) -> str:
        return "min(" + ", ".join(self._text(arg) for arg in expr.args) + ")"


_PRINTER = _OneLine()


def pretty(expr: Any) -> str:
    """One line of Unicode showing how an answer was read, e.g. `x·(1 − σ(z))·σ(z)`.

    Uses `·` for products, `−` for minus, superscripts for natural-number powers, `√`, `|x|`,
    `e^x`, `ln`, `π`; the output can be typed back into `parse`.
    """
    text: str = _PRINTER.doprint(expr)
    return text.replace("*", "·").replace("-", "−")
