"""The home panel's Markdown preview: what lessons and prompts use, drawn without a parser.

Checked on the plain text a learner reads and on which parts carry which style.
"""

from __future__ import annotations

from tutor.ui.widgets.markdown_preview import (
    CODE,
    CODE_BLOCK,
    EMPHASIS,
    HEADING,
    LINK,
    STRONG,
    inline,
    preview,
)


def styled(markdown: str, style: str) -> list[str]:
    """The texts carrying `style` (e.g. CODE) in the preview of `markdown`."""
    content = preview(markdown)
    return [content.plain[s.start : s.end] for s in content.spans if s.style == style]


def test_paragraphs_are_reflowed_and_separated() -> None:
    text = "A first paragraph\nthat wraps here.\n\nA second one."
    assert preview(text).plain == "A first paragraph that wraps here.\n\nA second one."


def test_inline_code_strong_emphasis_and_links() -> None:
    text = "Use `np.sum(x, axis=0)` for **the bias**, *not* [the docs](https://x.org)."
    assert preview(text).plain == "Use np.sum(x, axis=0) for the bias, not the docs."
    assert styled(text, CODE) == ["np.sum(x, axis=0)"]
    assert styled(text, STRONG) == ["the bias"]
    assert styled(text, EMPHASIS) == ["not"]
    assert styled(text, LINK) == ["the docs"]


def test_asterisks_in_code_and_maths_are_kept() -> None:
    text = "Compute `a * b * c` and 2 * 3 * 4 and x*y; then **`dW` is x.T @ G**."
    assert preview(text).plain == "Compute a * b * c and 2 * 3 * 4 and x*y; then dW is x.T @ G."
    assert styled(text, CODE) == ["a * b * c", "dW"]
    assert styled(text, STRONG) == ["dW is x.T @ G"]
    assert styled(text, EMPHASIS) == []


def test_underscores_are_not_emphasis() -> None:
    assert inline("grad_out and x_1 and __init__").plain == "grad_out and x_1 and __init__"


def test_escaped_characters_are_shown_without_the_backslash() -> None:
    assert inline(r"a \* b and \`c\`").plain == "a * b and `c`"


def test_headings_are_styled_lines() -> None:
    text = "Intro.\n## The gradient\nFor weights w:"
    assert preview(text).plain == "Intro.\n\nThe gradient\n\nFor weights w:"
    assert styled(text, HEADING) == ["The gradient"]


def test_fenced_code_is_kept_as_written_even_with_blank_lines() -> None:
    text = "Before:\n\n```python\ndef f(x):\n\n    return 2 * x\n```\n\nAfter."
    assert preview(text).plain == "Before:\n\ndef f(x):\n\n    return 2 * x\n\nAfter."
    assert styled(text, CODE_BLOCK) == ["def f(x):\n\n    return 2 * x"]


def test_an_unclosed_fence_runs_to_the_end() -> None:
    assert preview("Text.\n\n```\ncode **here**").plain == "Text.\n\ncode **here**"


def test_indented_code_loses_its_indent_but_not_its_layout() -> None:
    text = "Forward:\n\n    S = Q @ K.T\n    P = softmax(S)   # rows\n\nGiven G."
    assert preview(text).plain == "Forward:\n\nS = Q @ K.T\nP = softmax(S)   # rows\n\nGiven G."


def test_lists_get_markers_and_continuation_lines() -> None:
    text = "- first item\n  goes on\n- `second`\n\n1. one\n2) two"
    assert preview(text).plain == "• first item goes on\n• second\n\n1. one\n2) two"
    assert styled(text, CODE) == ["second"]


def test_tables_and_quotes() -> None:
    table = "| a | b |\n|---|---|\n| 1 | 2 |"
    assert preview(table).plain == table
    assert preview("> a quote\n> on two lines").plain == "a quote on two lines"


def test_markup_like_text_is_shown_as_is() -> None:
    assert preview("Press [b] and [/] to see [red]x[/red].").plain == (
        "Press [b] and [/] to see [red]x[/red]."
    )


def test_a_hash_needs_a_space_to_make_a_heading_and_closing_hashes_go() -> None:
    text = "Issue\n#3 is large.\n\n## Shapes ##"
    assert preview(text).plain == "Issue #3 is large.\n\nShapes"
    assert styled(text, HEADING) == ["Shapes"]


def test_a_wrapped_line_starting_with_a_number_stays_in_its_paragraph() -> None:
    assert preview("The width\n2. It is small.").plain == "The width 2. It is small."
    assert preview("Steps:\n1. one\n2. two").plain == "Steps:\n\n1. one\n2. two"
