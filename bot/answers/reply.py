"""A transport-neutral reply: what to say, which links, which buttons; renderers turn it into text or HTML."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.kb.models import ReplyKind


@dataclass(frozen=True)
class Span:
    """A run of text; with `url` it is a link, with `strong` it is emphasised."""

    text: str
    url: str | None = None
    strong: bool = False


Line = tuple[Span, ...]


@dataclass(frozen=True)
class Block:
    """A paragraph: lines shown one under the other. Long replies are split only between blocks."""

    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Button:
    """A follow-up: either an engine action (``review:child-e``, ``intent:latest_reviews``) or a URL to open."""

    label: str
    action: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Reply:
    """The engine's answer to one message, before any rendering."""

    kind: ReplyKind
    blocks: tuple[Block, ...]
    intent: str | None = None
    entries: tuple[str, ...] = ()
    confidence: float = 0.0
    buttons: tuple[Button, ...] = ()
    suggestions: tuple[str, ...] = field(default=(), metadata={"doc": "labels of 'did you mean' choices"})

    @property
    def links(self) -> tuple[str, ...]:
        """Every URL the reply shows, in order, once each."""
        seen: dict[str, None] = {}
        for block in self.blocks:
            for line in block.lines:
                for span in line:
                    if span.url:
                        seen.setdefault(span.url, None)
        return tuple(seen)


def text(value: str) -> Span:
    return Span(value)


def strong(value: str) -> Span:
    return Span(value, strong=True)


def link(label: str, url: str) -> Span:
    return Span(label, url=url)


def para(*lines: Line | str) -> Block:
    """A block from lines given as span tuples or plain strings."""
    return Block(tuple((Span(line),) if isinstance(line, str) else line for line in lines))
