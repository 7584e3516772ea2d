"""What grading a code exercise returns: plain data, shared by the grader, the CLI and the app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GradeStatus = Literal[
    "passed",  # every gradient matches
    "failed",  # it ran, and some gradient is wrong (see `gradients` and `cause`)
    "error",  # the learner's code raised (see `error`, a traceback of their own lines)
    "timeout",  # it ran past the time limit
    "memory",  # it ran out of its memory allowance
    "output-limit",  # it printed or wrote more than allowed
    "crashed",  # the process died otherwise (segfault, os._exit, a signal, …)
    "bad-output",  # it returned something that is not the arrays asked for
]


@dataclass(frozen=True)
class GradientResult:
    """The check of one returned gradient (e.g. dW) against the numerical gradient."""

    name: str
    """The input this is the gradient of, e.g. `W`."""
    expected_shape: tuple[int, ...]
    got_shape: tuple[int, ...] | None
    """None when nothing usable was returned for it."""
    relative_error: float | None
    """max |got − expected| / max(|got|, |expected|, tiny) over the checked entries."""
    passed: bool
    cause: str | None = None
    """A stable tag: `shape`, `transposed`, `sign`, `factor`, `batch-sum`, `zero`, `elements`,
    `nan`, `order`, `inplace`, `precision`, or None when passed or no single cause fits."""
    message: str = ""
    """One or two sentences for the learner; empty when passed."""
    mismatch_map: str | None = None
    """For `elements`: a small text map of which entries are wrong (✗) and right (·)."""


@dataclass(frozen=True)
class GradeResult:
    """The verdict on a learner's code."""

    status: GradeStatus
    gradients: tuple[GradientResult, ...]
    diagnosis: str
    """The headline for the learner, e.g. "dW is transposed: …"; empty when passed."""
    cause: str | None
    """The main cause's tag (see GradientResult.cause), or the status for non-`failed` ones."""
    stdout: str
    """What their code printed (stdout and stderr interleaved), possibly truncated."""
    stdout_truncated: bool
    error: str | None
    """For `error`: the traceback, showing only the learner's own file and lines."""
    sandbox: str
    """How it was isolated: `bwrap` or `limits-only`."""
    forward_passes: int = 0
    """Reference forward passes the numerical check cost (for the benchmark)."""

    @property
    def passed(self) -> bool:
        """True only when every gradient matched."""
        return self.status == "passed"
