"""The tutor's domain as immutable values: packs, units, lessons and exercises.

Everything here is plain data loaded from a pack folder. Grading logic lives elsewhere
(`tutor.core.symbolic`, `tutor.core.grading`) and takes these values as input.

The values are frozen `msgspec.Struct`s rather than frozen dataclasses: the same typed,
immutable, comparable, hashable, picklable records, but defining one costs no generated code.
Every start of the app defines these classes, and as dataclasses they cost 10 ms of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from msgspec import Struct

ItemKind = Literal["lesson", "derivation", "code", "choice"]
ExpectedGradients = Literal["numerical", "reference"]
EXPECTED_GRADIENTS: tuple[ExpectedGradients, ...] = ("numerical", "reference")
PackSource = Literal["builtin", "cli", "user", "entry-point"]

ITEM_KINDS: tuple[ItemKind, ...] = ("lesson", "derivation", "code", "choice")


class Problem(Struct, frozen=True):
    """One thing wrong with a pack, said so that an author can fix it."""

    file: Path
    """The file the problem is in (or the pack folder itself)."""
    message: str
    """A plain sentence: what is wrong and, where it helps, what is expected."""
    field: str | None = None
    """Dotted path of the offending field, e.g. `parts[0].wrt`, when there is one."""
    line: int | None = None
    """1-based line in `file`, when it is known."""

    def __str__(self) -> str:
        where = str(self.file) + (f":{self.line}" if self.line else "")
        what = f"{self.field}: " if self.field else ""
        return f"{where}: {what}{self.message}"


class Lesson(Struct, frozen=True):
    """A Markdown lesson."""

    id: str
    """Unique within the pack; from front matter `id`, else the file name without `.md`."""
    title: str
    """From front matter `title`, else the first `# heading`."""
    body: str
    """The Markdown text, front matter removed."""
    path: Path
    """Where the lesson was read from."""
    kind: ClassVar[ItemKind] = "lesson"  # what every item of the class is, not a field


class KnownMistake(Struct, frozen=True):
    """A wrong answer an author expects, with the feedback it deserves."""

    answer: str
    """The wrong answer, in the same notation learners type."""
    feedback: str
    """What the learner is told when their answer is equivalent to `answer`."""


class Variable(Struct, frozen=True):
    """A symbol the learner may use, with the domain its values come from."""

    name: str
    domain: str
    """`real`, `positive`, `negative`, `nonzero`, `nonnegative`, or an interval like `(0, 1)`."""


class DerivationPart(Struct, frozen=True):
    """One derivative asked for in a derivation exercise (e.g. ∂L/∂w)."""

    id: str
    label: str
    """How the part is shown, e.g. `∂L/∂w`."""
    of: str | None
    """The forward expression to differentiate (preferred: SymPy computes the answer)."""
    wrt: str | None
    """The variable to differentiate `of` by."""
    expected: str | None
    """An explicit expected answer, for questions that are not a single derivative."""
    mistakes: tuple[KnownMistake, ...] = ()


class DerivationExercise(Struct, frozen=True):
    """The learner types a derivative; the symbolic checker grades it."""

    id: str
    title: str
    prompt: str
    """Markdown shown above the answer box."""
    variables: tuple[Variable, ...]
    intermediates: tuple[tuple[str, str], ...]
    """Named sub-expressions in definition order, e.g. (("z", "w*x + b"), ("a", "sigma(z)"))."""
    constraints: tuple[tuple[str, str], ...]
    """Variables fixed by the others, e.g. (("y3", "1 - y1 - y2"),) for one-hot targets that sum
    to 1: answers are compared after this substitution, so identities that need it hold."""
    functions: tuple[str, ...]
    """Helper functions the learner may use beyond the standard ones, e.g. ("sigma", "relu")."""
    parts: tuple[DerivationPart, ...]
    params: tuple[tuple[str, tuple[str, ...]], ...]
    """Randomised variants: each parameter's possible values; a learner gets a stable pick."""
    hints: tuple[str, ...]
    solution: str
    """The worked solution in Markdown, shown only on request."""
    path: Path
    kind: ClassVar[ItemKind] = "derivation"


class CodeInput(Struct, frozen=True):
    """One array the grader feeds to the learner's function."""

    name: str
    shape: tuple[str, ...]
    """Named dimensions, e.g. ("N", "D_in"); sizes come from `CodeExercise.dims`."""
    low: float = -1.0
    high: float = 1.0
    labels: bool = False
    """Integer class labels in [0, `high`) instead of floats (e.g. targets for cross-entropy)."""
    avoid: tuple[float, ...] = ()
    """Values to keep away from (kinks such as 0 for ReLU)."""


class BuggySolution(Struct, frozen=True):
    """A known-wrong solution that must be rejected, and the diagnosis it should get."""

    path: Path
    diagnosis: str
    """A word the grader's diagnosis must contain, e.g. `transposed`, `sign`, `batch`."""


class CodeExercise(Struct, frozen=True):
    """The learner writes `backward()` (and maybe `forward()`); numerical gradients grade it."""

    id: str
    title: str
    prompt: str
    function: str
    """Name of the function the learner implements, e.g. `linear_backward`."""
    signature: str
    """Its signature as shown to the learner, e.g. `linear_backward(x, W, b, grad_out)`."""
    forward: str
    """Name of the reference forward function in the reference file."""
    starter: Path
    reference: Path
    buggy: tuple[BuggySolution, ...]
    dims: tuple[tuple[str, int], ...]
    """Sizes of the named dimensions; distinct sizes make transposes visible."""
    inputs: tuple[CodeInput, ...]
    gradients: tuple[str, ...]
    """Which input each returned array is the gradient of, in return order."""
    hints: tuple[str, ...]
    solution: str
    path: Path
    constants: tuple[tuple[str, float], ...] = ()
    """Fixed numbers (e.g. a leaky ReLU's slope), passed after the arrays to the forward and
    after grad_out to backward, in this order, as 0-d float64 arrays."""
    learner_forward: str | None = None
    """When set, the learner implements this forward too; it is checked against the
    reference forward's output before the gradients are."""
    expected: ExpectedGradients = "numerical"
    """Where the expected gradients come from. `numerical`: central differences of the
    reference forward. `reference`: the reference file's own backward (`function`, trusted
    pack code) on the same inputs and grad_out, for a custom gradient that is not the
    forward's derivative by design (a straight-through estimator, gradient clipping)."""
    kind: ClassVar[ItemKind] = "code"

    def starter_code(self) -> str:
        """The code a learner starts from."""
        return self.starter.read_text(encoding="utf-8")


class ChoiceExercise(Struct, frozen=True):
    """A concept check: pick the right option(s), or type a number."""

    id: str
    title: str
    prompt: str
    options: tuple[str, ...]
    """The choices shown, in order; empty for a numeric question."""
    correct: tuple[int, ...]
    """0-based indices of the right options (several means "select all that apply")."""
    numeric_answer: float | None
    tolerance: float
    """A numeric answer g is right when |g − answer| ≤ tolerance · max(1, |answer|)."""
    explanation: str
    """Shown after answering, right or wrong."""
    hints: tuple[str, ...]
    path: Path
    kind: ClassVar[ItemKind] = "choice"


Exercise = DerivationExercise | CodeExercise | ChoiceExercise
Item = Lesson | Exercise


class Unit(Struct, frozen=True):
    """An ordered group of lessons and exercises on one idea."""

    id: str
    title: str
    items: tuple[Item, ...]


class Pack(Struct, frozen=True):
    """A loaded, valid pack: its manifest and every item in it."""

    id: str
    title: str
    version: str
    description: str
    authors: tuple[str, ...]
    units: tuple[Unit, ...]
    root: Path
    """The folder holding `pack.toml`."""
    source: PackSource
    """Where the pack was found: built in, `--pack`, the user data dir, or an entry point."""

    def items(self) -> tuple[Item, ...]:
        """Every item of every unit, in curriculum order."""
        return tuple(item for unit in self.units for item in unit.items)

    def unit_of(self, item_id: str) -> Unit | None:
        """The unit that holds `item_id`, if any."""
        return next((u for u in self.units if any(i.id == item_id for i in u.items)), None)


def qualified_id(pack: Pack, item: Item) -> str:
    """The id every command accepts: `pack/item`."""
    return f"{pack.id}/{item.id}"
