"""Numbers in content/chain-rule.md: a = 2x, b = a + 3, c = b² at x = 1."""

from tests.lesson_claims import claim, given


def forward(x: float) -> float:
    return (2 * x + 3) ** 2


CLAIMS = [
    given("∂a/∂x = 2"),
    given("∂b/∂a = 1"),
    given("At x = 1"),
    claim("a = 2,", lambda: 2 * 1, stated="2"),
    claim("b = 5", lambda: 2 * 1 + 3),
    claim("c = 25", lambda: forward(1)),
    given("dc/dc = 1"),
    claim("dc/db = 2b      = 10", lambda: 2 * (2 * 1 + 3)),
    claim("dc/da = 10 · 1  = 10", lambda: 10 * 1),
    claim("dc/dx = 10 · 2  = 20", lambda: 10 * 2),
    given("at x = 1.01"),
    claim("c = 25.2004", lambda: forward(1.01)),
    claim("Δc/Δx = (25.2004 − 25) / 0.01 ≈ 20.04", lambda: (forward(1.01) - forward(1)) / 0.01),
]
