"""Helper functions learners may use (σ, relu, softplus, …) as SymPy functions.

Each helper is a SymPy `Function` subclass that

* knows its derivative (`fdiff`), so SymPy differentiates expressions containing it;
* stays a helper: construction evaluates almost nothing (only a numeric argument where the
  value is exact and obvious, e.g. `sigma(0) = 1/2`, `relu(-3) = 0`), so feedback can still
  see `σ(z)` in an answer;
* rewrites to elementary functions on request: `expr.rewrite("elementary")` (or
  `rewrite(exp)` for the smooth ones, `rewrite(Max)` for the piecewise-linear ones), and
  `explicit(expr)` replaces every helper at once, for numeric evaluation;
* prints as it is written: `σ(z)`, `relu(z)`, … in `str()` and in `sympy.pretty()`.

Helpers an exercise may allow (`HELPERS`, canonical name → class):

=============  ===============================  ====================================
name           definition                       derivative
=============  ===============================  ====================================
`sigma`        1/(1 + e^(−x))                   σ(x)(1 − σ(x))
`relu`         max(0, x)                        Heaviside(x)  (H(0) = 1/2)
`softplus`     ln(1 + e^x)                      σ(x)
`swish`        x·σ(x)                           σ(x) + x·σ(x)(1 − σ(x))
`leaky_relu`   max(x/100, x)                    1/100 + (99/100)·Heaviside(x)
=============  ===============================  ====================================

`leaky_relu` has a fixed negative slope of 1/100 (`LEAKY_RELU_SLOPE`, PyTorch's default
0.01); exercises that need another slope write it out, e.g. `max(a*z, z)`.

`STANDARD` holds the functions every exercise may use; `CONSTANTS` holds `e` and `π`
(a declared variable of the same name always wins over a constant or a function).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import sympy
from sympy import Function, S
from sympy.core.function import ArgumentIndexError

__all__ = [
    "CONSTANTS",
    "HELPERS",
    "HELPER_ALIASES",
    "LEAKY_RELU_SLOPE",
    "STANDARD",
    "VARIADIC",
    "Helper",
    "explicit",
    "leaky_relu",
    "relu",
    "sigma",
    "softplus",
    "swish",
]

LEAKY_RELU_SLOPE: Any = sympy.Rational(1, 100)
"""The negative-side slope of `leaky_relu`: a fixed 1/100."""


class Helper(Function):  # type: ignore[misc]  # SymPy is untyped
    """Base class of the helpers: one argument, a display name and an elementary definition."""

    nargs = 1
    display: ClassVar[str] = ""
    """How the function is printed, e.g. `σ`."""

    @classmethod
    def definition(cls, x: Any) -> Any:
        """The helper at `x` in elementary functions (exp, log, Max, …); each helper defines it."""
        raise TypeError(f"{cls.__name__} has no elementary definition")

    def _eval_rewrite_as_elementary(self, x: Any, **hints: Any) -> Any:
        return self.definition(x)

    def _eval_evalf(self, prec: int) -> Any:
        return self.definition(self.args[0])._eval_evalf(prec)

    def _eval_is_extended_real(self) -> bool | None:
        # Every helper maps reals to reals.
        return self.args[0].is_extended_real  # type: ignore[no-any-return]

    def _sympystr(self, printer: Any) -> str:
        return f"{self.display}({printer._print(self.args[0])})"

    def _pretty(self, printer: Any) -> Any:
        # Built by hand: the printer would turn `_` in a name into a subscript.
        from sympy.printing.pretty.stringpict import prettyForm, stringPict

        name = prettyForm(self.display)
        args = prettyForm(*printer._print(self.args[0]).parens())
        form = prettyForm(*stringPict.next(name, args), binding=prettyForm.FUNC)
        form.prettyFunc = name
        form.prettyArgs = args
        return form

    def _latex(self, printer: Any, exp: Any = None) -> str:
        escaped = self.display.replace("_", r"\_")
        name = {"σ": r"\sigma"}.get(self.display, r"\operatorname{" + escaped + "}")
        text = rf"{name}\left({printer._print(self.args[0])}\right)"
        return rf"{text}^{{{exp}}}" if exp is not None else text

    def _eval_is_finite(self) -> bool | None:
        return self.args[0].is_finite  # type: ignore[no-any-return]


def _check_index(fn: Helper, argindex: int) -> None:
    if argindex != 1:
        raise ArgumentIndexError(fn, argindex)


class sigma(Helper):  # lower case: named as learners write it
    """The logistic sigmoid σ(x) = 1/(1 + e^(−x)); σ' = σ(1 − σ). Only σ(0) evaluates (to 1/2)."""

    display = "σ"

    @classmethod
    def eval(cls, x: Any) -> Any:
        if x is S.Zero:
            return S.Half
        return None

    @classmethod
    def definition(cls, x: Any) -> Any:
        return 1 / (1 + sympy.exp(-x))

    def fdiff(self, argindex: int = 1) -> Any:
        _check_index(self, argindex)
        s = sigma(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x: Any, **hints: Any) -> Any:
        return self.definition(x)

    def _eval_rewrite_as_tanh(self, x: Any, **hints: Any) -> Any:
        return (1 + sympy.tanh(x / 2)) / 2

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_extended_real else None

    def _eval_is_finite(self) -> bool | None:
        return True if self.args[0].is_extended_real else None


def _number_value(x: Any) -> Any:
    """`x` when it is a plain rational number, else None (no assumptions are queried)."""
    return x if x.is_Rational else None


class relu(Helper):
    """relu(x) = max(0, x); derivative Heaviside(x). Evaluates only on rational numbers."""

    display = "relu"

    @classmethod
    def eval(cls, x: Any) -> Any:
        value = _number_value(x)
        if value is not None:
            return value if value > 0 else S.Zero
        return None

    @classmethod
    def definition(cls, x: Any) -> Any:
        return sympy.Max(0, x)

    def fdiff(self, argindex: int = 1) -> Any:
        _check_index(self, argindex)
        return sympy.Heaviside(self.args[0])

    def _eval_rewrite_as_Max(self, x: Any, **hints: Any) -> Any:
        return self.definition(x)

    def _eval_rewrite_as_Piecewise(self, x: Any, **hints: Any) -> Any:
        return sympy.Piecewise((x, x > 0), (0, True))

    def _eval_is_extended_nonnegative(self) -> bool | None:
        return True if self.args[0].is_extended_real else None


class softplus(Helper):
    """softplus(x) = ln(1 + e^x); derivative σ(x). Only softplus(0) evaluates (to ln 2)."""

    display = "softplus"

    @classmethod
    def eval(cls, x: Any) -> Any:
        if x is S.Zero:
            return sympy.log(2)
        return None

    @classmethod
    def definition(cls, x: Any) -> Any:
        return sympy.log(1 + sympy.exp(x))

    def fdiff(self, argindex: int = 1) -> Any:
        _check_index(self, argindex)
        return sigma(self.args[0])

    def _eval_rewrite_as_exp(self, x: Any, **hints: Any) -> Any:
        return self.definition(x)

    def _eval_rewrite_as_log(self, x: Any, **hints: Any) -> Any:
        return self.definition(x)

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_extended_real else None


class swish(Helper):
    """swish(x) = x·σ(x) (also called SiLU); derivative σ(x) + x·σ(x)(1 − σ(x))."""

    display = "swish"

    @classmethod
    def eval(cls, x: Any) -> Any:
        if x is S.Zero:
            return S.Zero
        return None

    @classmethod
    def definition(cls, x: Any) -> Any:
        return x / (1 + sympy.exp(-x))

    def fdiff(self, argindex: int = 1) -> Any:
        _check_index(self, argindex)
        x = self.args[0]
        s = sigma(x)
        return s + x * s * (1 - s)

    def _eval_rewrite_as_exp(self, x: Any, **hints: Any) -> Any:
        return self.definition(x)

    def _eval_rewrite_as_sigma(self, x: Any, **hints: Any) -> Any:
        return x * sigma(x)


class leaky_relu(Helper):
    """leaky_relu(x) = x for x > 0, x/100 otherwise (slope `LEAKY_RELU_SLOPE` = 1/100).

    Derivative: 1/100 + (99/100)·Heaviside(x). Evaluates only on rational numbers.
    """

    display = "leaky_relu"

    @classmethod
    def eval(cls, x: Any) -> Any:
        value = _number_value(x)
        if value is not None:
            return value if value > 0 else value * LEAKY_RELU_SLOPE
        return None

    @classmethod
    def definition(cls, x: Any) -> Any:
        return sympy.Max(x, LEAKY_RELU_SLOPE * x)

    def fdiff(self, argindex: int = 1) -> Any:
        _check_index(self, argindex)
        return LEAKY_RELU_SLOPE + (1 - LEAKY_RELU_SLOPE) * sympy.Heaviside(self.args[0])

    def _eval_rewrite_as_Max(self, x: Any, **hints: Any) -> Any:
        return self.definition(x)

    def _eval_rewrite_as_Piecewise(self, x: Any, **hints: Any) -> Any:
        return sympy.Piecewise((x, x > 0), (LEAKY_RELU_SLOPE * x, True))


HELPERS: Mapping[str, type[Helper]] = MappingProxyType(
    {
        "sigma": sigma,
        "relu": relu,
        "softplus": softplus,
        "swish": swish,
        "leaky_relu": leaky_relu,
    }
)
"""Canonical name → class of every helper an exercise may allow (`functions = [...]`)."""

HELPER_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "sigma": "sigma",
        "σ": "sigma",
        "sigmoid": "sigma",
        "relu": "relu",
        "ReLU": "relu",
        "Relu": "relu",
        "RELU": "relu",
        "softplus": "softplus",
        "SoftPlus": "softplus",
        "Softplus": "softplus",
        "swish": "swish",
        "Swish": "swish",
        "silu": "swish",
        "SiLU": "swish",
        "leaky_relu": "leaky_relu",
        "leakyrelu": "leaky_relu",
        "LeakyReLU": "leaky_relu",
        "leaky_ReLU": "leaky_relu",
    }
)
"""Every name a learner may type for a helper → its canonical name."""


def _max(*args: Any, evaluate: bool = True) -> Any:
    return sympy.Max(*args, evaluate=evaluate)


def _min(*args: Any, evaluate: bool = True) -> Any:
    return sympy.Min(*args, evaluate=evaluate)


STANDARD: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        "exp": sympy.exp,
        "log": sympy.log,  # natural logarithm
        "ln": sympy.log,
        "sqrt": sympy.sqrt,
        "sin": sympy.sin,
        "cos": sympy.cos,
        "tan": sympy.tan,
        "sinh": sympy.sinh,
        "cosh": sympy.cosh,
        "tanh": sympy.tanh,
        "sech": sympy.sech,
        "abs": sympy.Abs,
        "Abs": sympy.Abs,
        "sign": sympy.sign,
        "sgn": sympy.sign,
        "step": sympy.Heaviside,
        "heaviside": sympy.Heaviside,
        "Heaviside": sympy.Heaviside,
        "max": _max,
        "Max": _max,
        "min": _min,
        "Min": _min,
    }
)
"""Functions every exercise may use, by every accepted spelling. `log` and `ln` are both the
natural logarithm; `step`/`heaviside` is the unit step with H(0) = 1/2 (the derivative of
relu); `max`/`min` take 2–10 comma-separated arguments, all others exactly one."""

VARIADIC: frozenset[str] = frozenset({"max", "Max", "min", "Min"})
"""The STANDARD names that take several arguments."""

CONSTANTS: Mapping[str, Any] = MappingProxyType({"e": sympy.E, "pi": sympy.pi, "π": sympy.pi})
"""Named constants, used only when the exercise declares no variable of the same name."""


def explicit(expr: Any) -> Any:
    """Replace every helper in `expr` by its elementary definition (for numeric evaluation).

    `sigma(z)` → `1/(1 + exp(-z))`, `relu(z)` → `Max(0, z)`, … nested helpers included.
    Expressions without helpers come back unchanged.
    """
    if not isinstance(expr, sympy.Basic) or not expr.has(*HELPERS.values()):
        return expr
    return expr.replace(
        lambda node: isinstance(node, Helper),
        lambda node: type(node).definition(node.args[0]),
    )
