"""Reply -> plain text (console, JSON) and Reply -> Telegram HTML messages (escaped, split under 4096)."""

from __future__ import annotations

import html
from typing import Any

from bot.answers.reply import Block, Line, Reply, Span

TELEGRAM_LIMIT = 4096


def _plain_span(span: Span) -> str:
    if span.url and span.url != span.text:
        return f"{span.text} ({span.url})"
    return span.text


def plain_text(reply: Reply) -> str:
    """The reply as the console shows it: paragraphs separated by blank lines, links in brackets."""
    return "\n\n".join(
        "\n".join("".join(_plain_span(span) for span in line) for line in block.lines) for block in reply.blocks
    )


def reply_record(question: str | None, reply: Reply) -> dict[str, Any]:
    """The JSON object of `ask --jsonl` (DESIGN.md, Interfaces): one per question, for the command line and
    the web API alike."""
    return {
        "question": question,
        "kind": reply.kind.value,
        "intent": reply.intent,
        "entries": list(reply.entries),
        "confidence": round(reply.confidence, 1),
        "text": plain_text(reply),
        "links": list(reply.links),
        "suggestions": list(reply.suggestions),
    }


def _html_span(span: Span) -> str:
    body = html.escape(span.text, quote=False)
    if span.strong:
        body = f"<b>{body}</b>"
    if span.url:
        body = f'<a href="{html.escape(span.url, quote=True)}">{body}</a>'
    return body


def _html_line_pieces(line: Line, limit: int) -> list[str]:
    """A line as HTML, cut into pieces under `limit` without breaking a tag or an entity."""
    pieces: list[str] = []
    current = ""
    for span in line:
        rendered = _html_span(span)
        if len(rendered) > limit:
            # Only plain text can be this long; cut it on raw characters, escaping each piece.
            step = max(1, limit // 6)
            parts = [
                _html_span(Span(span.text[i : i + step], strong=span.strong)) for i in range(0, len(span.text), step)
            ]
        else:
            parts = [rendered]
        for part in parts:
            if current and len(current) + len(part) > limit:
                pieces.append(current)
                current = ""
            current += part
    if current:
        pieces.append(current)
    return pieces


def _block_pieces(block: Block, limit: int) -> list[str]:
    lines = [piece for line in block.lines for piece in (_html_line_pieces(line, limit) or [""])]
    pieces: list[str] = []
    current: str | None = None
    for line in lines:
        if current is None:
            current = line
        elif len(current) + 1 + len(line) <= limit:
            current += "\n" + line
        else:
            pieces.append(current)
            current = line
    if current is not None:
        pieces.append(current)
    return pieces


def telegram_html(reply: Reply, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The reply as Telegram HTML messages, split between paragraphs so none exceeds `limit` characters."""
    messages: list[str] = []
    current = ""
    for block in reply.blocks:
        for piece in _block_pieces(block, limit):
            if not piece.strip():
                continue
            if current and len(current) + 2 + len(piece) <= limit:
                current += "\n\n" + piece
            else:
                if current:
                    messages.append(current)
                current = piece
    if current:
        messages.append(current)
    return messages or ["…"]
