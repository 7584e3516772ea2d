"""Numbers in content/chain-rule.md: a = 2x, b = a + 3, c = b² at x = 1; and the two-path
graph a = x², b = 3x, c = a·b at x = 2."""

from tests.lesson_claims import claim, given


def forward(x: float) -> float:
    return (2 * x + 3) ** 2


def backward(x: float) -> dict[str, float]:
    """The node-by-node backward pass of the three-step graph, as the lesson's code runs it."""
    b = 2 * x + 3
    dc = 1.0
    db = dc * (2 * b)
    da = db * 1
    dx = da * 2
    return {"db": db, "da": da, "dx": dx}


def two_paths(x: float) -> float:
    a, b = x**2, 3 * x
    return a * b


def path_through_a(x: float) -> float:
    return (3 * x) * (2 * x)  # ∂c/∂a · ∂a/∂x = b · 2x


def path_through_b(x: float) -> float:
    return x**2 * 3  # ∂c/∂b · ∂b/∂x = a · 3


CLAIMS = [
    given("∂a/∂x = 2"),
    given("∂b/∂a = 1"),
    given("At x = 1"),
    claim("a = 2,", lambda: 2 * 1, stated="2"),
    claim("b = 5", lambda: 2 * 1 + 3),
    claim("c = 25", lambda: forward(1)),
    given("dc/dc = 1"),
    claim("dc/db = 2b      = 10", lambda: backward(1)["db"]),
    claim("dc/da = 10 · 1  = 10", lambda: backward(1)["da"]),
    claim("dc/dx = 10 · 2  = 20", lambda: backward(1)["dx"]),
    given("at x = 1.01"),
    claim("c = 25.2004", lambda: forward(1.01)),
    claim("Δc/Δx = (25.2004 − 25) / 0.01 ≈ 20.04", lambda: (forward(1.01) - forward(1)) / 0.01),
    # The node-by-node code: inputs and the graph are given; the values it computes are above.
    given("x = 1.0"),
    given("a = 2 * x;  b = a + 3;  c = b ** 2"),
    given("dc = 1.0"),
    given("dx = 0.0"),
    # Two paths.
    given("∂b/∂x = 3,"),
    given("At x = 2"),
    claim("a = 4,", lambda: 2.0**2, stated="4"),
    claim("b = 6,", lambda: 3 * 2.0, stated="6"),
    claim("c = 24, and", lambda: two_paths(2), stated="24"),
    claim("b · 2x = 6 · 4 = 24", lambda: path_through_a(2)),
    claim("a · 3  = 4 · 3 = 12", lambda: path_through_b(2)),
    claim("dc/dx = 24 + 12 = 36", lambda: path_through_a(2) + path_through_b(2)),
    claim("9x² at x = 2 is 9 · 4 = 36", lambda: 9 * 2.0**2),
    given("x = 2.001"),
    claim("c = 24.036018003", lambda: two_paths(2.001)),
    claim("Δc/Δx ≈ 36.018", lambda: (two_paths(2.001) - two_paths(2)) / 0.001),
]
