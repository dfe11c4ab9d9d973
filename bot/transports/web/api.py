"""The JSON the chat page reads: the `ask --jsonl` object, plus what the page needs to draw the reply.

The page never receives HTML. It gets the reply's blocks as spans of text (each a link, a phone number or
plain, maybe strong) and builds its DOM with textContent, so nothing a knowledge file or a user typed can
become markup. Phone numbers become `tel:` links only where they are numbers of the public view's
contacts (999, 101, the duty teams…): a number is then one tap to call on a phone, and no other digits
(a date, a year) are mistaken for one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bot.answers.render import reply_record
from bot.answers.reply import Button, Reply, Span
from bot.kb.models import KnowledgeBase, ReplyKind

JSON = dict[str, Any]


def tel_uri(number: str) -> str:
    """``0116 454 1004`` -> ``tel:01164541004``."""
    return "tel:" + re.sub(r"\D", "", number)


@lru_cache(maxsize=8)
def _phone_pattern(numbers: tuple[str, ...]) -> re.Pattern[str] | None:
    """Any of `numbers` as written, spaces flexible, not inside a longer run of digits."""
    if not numbers:
        return None
    forms = sorted({r"\s?".join(map(re.escape, n.replace(" ", ""))) for n in numbers}, key=len, reverse=True)
    return re.compile(rf"(?<![\d\w])(?:{'|'.join(forms)})(?![\d\w])")


def phone_pattern(view: KnowledgeBase) -> re.Pattern[str] | None:
    return _phone_pattern(tuple(sorted({c.phone for c in view.contacts if c.phone})))


def _span(text: str, *, strong: bool, url: str | None = None, tel: str | None = None) -> JSON:
    span: JSON = {"text": text}
    if url:
        span["url"] = url
    if tel:
        span["tel"] = tel
    if strong:
        span["strong"] = True
    return span


def _spans(span: Span, phones: re.Pattern[str] | None) -> list[JSON]:
    """A span as the page's spans: links stay whole; in plain text, contact numbers become tel: spans."""
    if span.url or phones is None:
        return [_span(span.text, strong=span.strong, url=span.url)]
    out: list[JSON] = []
    last = 0
    for match in phones.finditer(span.text):
        if match.start() > last:
            out.append(_span(span.text[last : match.start()], strong=span.strong))
        out.append(_span(match.group(0), strong=span.strong, tel=tel_uri(match.group(0))))
        last = match.end()
    if last < len(span.text) or not out:
        out.append(_span(span.text[last:], strong=span.strong))
    return out


def blocks(reply: Reply, phones: re.Pattern[str] | None) -> list[list[list[JSON]]]:
    """Paragraphs of lines of spans, as the page draws them."""
    return [
        [[piece for span in line for piece in _spans(span, phones)] for line in block.lines] for block in reply.blocks
    ]


def _button(button: Button, choices: frozenset[str]) -> JSON | None:
    if button.url:
        return {"label": button.label, "url": button.url}
    if button.action:
        return {"label": button.label, "action": button.action, "choice": button.label in choices}
    return None


def reply_object(
    question: str | None,
    reply: Reply,
    view: KnowledgeBase,
    feedback: tuple[Button, ...] = (),
    action: str | None = None,
) -> JSON:
    """`ask --jsonl`'s object for this reply (the same code builds both), with the page's extras: the
    blocks to draw, the buttons (follow-ups, links, "Did you mean" choices marked as such) and the
    "Helpful?" buttons. Buttons carry engine actions, the same ones Telegram's callback data carry."""
    choices = frozenset(reply.suggestions if reply.kind == ReplyKind.CLARIFY else ())
    record = reply_record(question, reply)
    record["blocks"] = blocks(reply, phone_pattern(view))
    record["buttons"] = [b for b in (_button(button, choices) for button in reply.buttons) if b is not None]
    record["feedback"] = [{"label": b.label, "action": b.action} for b in feedback if b.action]
    if action is not None:
        record["action"] = action
    return record
