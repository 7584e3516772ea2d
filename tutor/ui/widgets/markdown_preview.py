"""The home panel's preview of lessons and prompts: their Markdown, drawn without a parser.

Importing a Markdown parser and Textual's Markdown widget was a third of the app's start-up,
for a panel that shows a few paragraphs. The preview draws what those paragraphs use:
headings, paragraphs (re-flowed), lists, fenced and indented code, quotes and tables kept
as written, and inline code, strong, emphasis and links. The item's own screen shows the
full Markdown.
"""

from __future__ import annotations

import re

from textual.content import Content

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
LIST_ITEM = re.compile(
    r"^\s*(?:(?P<bullet>[-*+])|(?P<number>\d{1,9})(?P<delimiter>[.)]))\s+(?P<text>.*)$"
)
HEADING_LINE = re.compile(r"^ {0,3}#{1,6}(?:\s+|$)(.*?)(?:\s+#+)?\s*$")
INLINE = re.compile(
    r"(?P<ticks>`+)(?P<code>.+?)(?P=ticks)"
    r"|\*\*(?P<strong>.+?)\*\*"
    r"|(?<![\w*])\*(?P<em>[^*\s](?:[^*]*[^*\s])?)\*(?![\w*])"
    r"|\[(?P<link>[^\]]+)\]\([^)\s]*\)"
    r"|\\(?P<escaped>[\\`*_\[\]#>|-])"
)
"""Code spans first: inside them `*` and `[` are literal."""


CODE = "$text-warning on $warning 10%"
CODE_BLOCK = "$text-muted"
STRONG = "bold"
EMPHASIS = "italic"
HEADING = "bold $text-primary"
LINK = "underline"
QUOTE = "italic $text-muted"
"""Styles name theme variables, resolved when drawn, so the preview follows the theme.
(Component classes would do the same, at the price of matching the CSS rules again for each
of them whenever the screen is restyled, which start-up does several times.)"""


def preview(markdown: str) -> Content:
    """`markdown` as styled text (see the styles above)."""
    return Content("\n\n").join(_block(kind, lines) for kind, lines in _blocks(markdown))


def _blocks(markdown: str) -> list[tuple[str, list[str]]]:
    """(kind, lines) for each block: code, heading, list, verbatim, quote or paragraph."""
    blocks: list[tuple[str, list[str]]] = []
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = FENCE.match(line)
        if fence:
            end = _closing_fence(lines, index, fence.group(1))
            blocks.append(("code", lines[index + 1 : end]))
            index = end + 1
            continue
        if line.strip():
            _add_line(blocks, line, lines[index - 1].strip() == "" if index else True)
        index += 1
    return blocks


def _closing_fence(lines: list[str], start: int, opener: str) -> int:
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped.startswith(opener[0] * len(opener)) and not stripped.strip(opener[0]):
            return index
    return len(lines)  # never closed: Markdown runs it to the end


def _add_line(blocks: list[tuple[str, list[str]]], line: str, after_blank: bool) -> None:
    """Start a block with `line`, or continue the last one."""
    last = blocks[-1] if blocks and not after_blank else None
    stripped = line.strip()
    if line.startswith(("    ", "\t")) and (last is None or last[0] == "code"):
        kind = "code"
        line = line[4:] if line.startswith("    ") else line[1:]
    elif heading := HEADING_LINE.match(line):
        blocks.append(("heading", [heading.group(1)]))
        return
    elif stripped.startswith("|"):
        kind = "verbatim"
    elif stripped.startswith(">"):
        kind = "quote"
    elif (item := LIST_ITEM.match(line)) and not _continues_paragraph(item, last):
        kind = "list"
    elif last is not None and last[0] in ("list", "quote", "paragraph"):
        kind = last[0]  # a continuation line
    else:
        kind = "paragraph"
    if last is not None and last[0] == kind:
        last[1].append(line)
    else:
        blocks.append((kind, [line]))


def _continues_paragraph(item: re.Match[str], last: tuple[str, list[str]] | None) -> bool:
    """A wrapped line like "2. It is small." goes on with its paragraph (as in CommonMark,
    only a bullet or "1." starts a list inside one)."""
    number = item.group("number")
    return last is not None and last[0] == "paragraph" and number is not None and number != "1"


def _block(kind: str, lines: list[str]) -> Content:
    if kind in ("code", "verbatim"):
        code = Content("\n".join(line.rstrip() for line in lines))
        return code.stylize(CODE_BLOCK) if kind == "code" else code
    if kind == "heading":
        return inline(lines[0]).stylize(HEADING)
    if kind == "quote":
        quoted = " ".join(line.strip().lstrip(">").strip() for line in lines)
        return inline(quoted).stylize(QUOTE)
    if kind == "list":
        return Content("\n").join(_list_items(lines))
    return inline(" ".join(line.strip() for line in lines))


def _list_items(lines: list[str]) -> list[Content]:
    items: list[tuple[str, list[str]]] = []
    for line in lines:
        match = LIST_ITEM.match(line)
        if match:
            marker = "•" if match.group("bullet") else match.group("number", "delimiter")
            items.append(("".join(marker), [match.group("text")]))
        elif items:
            items[-1][1].append(line.strip())
    return [Content(f"{marker} ") + inline(" ".join(text)) for marker, text in items]


def inline(text: str) -> Content:
    """One paragraph's text with its code spans, strong, emphasis and links styled."""
    parts: list[Content] = []
    position = 0
    for match in INLINE.finditer(text):
        parts.append(Content(text[position : match.start()]))
        position = match.end()
        if match.group("code") is not None:
            parts.append(Content(match.group("code")).stylize(CODE))
        elif match.group("strong") is not None:
            parts.append(inline(match.group("strong")).stylize(STRONG))
        elif match.group("em") is not None:
            parts.append(inline(match.group("em")).stylize(EMPHASIS))
        elif match.group("link") is not None:
            parts.append(inline(match.group("link")).stylize(LINK))
        else:
            parts.append(Content(match.group("escaped")))
    parts.append(Content(text[position:]))
    return Content("").join(parts)
