"""Rendering: the console's plain text and Telegram's escaped, split HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bot.answers.render import TELEGRAM_LIMIT, plain_text, telegram_html
from bot.answers.reply import Block, Reply, Span, link, para, strong, text
from bot.kb.models import ReplyKind


def _reply(*blocks: Block) -> Reply:
    return Reply(kind=ReplyKind.ANSWER, blocks=blocks)


class _TagChecker(HTMLParser):
    """Accepts only the tags the renderer may emit, balanced."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in {"a", "b"}, tag
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag


def _valid(html: str) -> bool:
    checker = _TagChecker()
    checker.feed(html)
    checker.close()
    bare = re.sub(r"&(amp|lt|gt|quot|#\d+);", "", html)
    return not checker.stack and "&" not in bare


def test_plain_text_shows_links_in_brackets_and_blank_lines_between_blocks() -> None:
    reply = _reply(para((strong("Child E"),), "A review."), para((text("Read: "), link("it", "https://x.org/a"))))
    assert plain_text(reply) == "Child E\nA review.\n\nRead: it (https://x.org/a)"
    assert reply.links == ("https://x.org/a",)


def test_html_escapes_every_dynamic_field() -> None:
    reply = _reply(para((strong("<script>&"), link("a<b", 'https://x.org/?q="1"&r=2'))))
    (html,) = telegram_html(reply)
    assert "<script>" not in html
    assert "<b>&lt;script&gt;&amp;</b>" in html
    assert 'href="https://x.org/?q=&quot;1&quot;&amp;r=2"' in html
    assert _valid(html)


def test_long_replies_split_between_paragraphs_under_the_limit() -> None:
    blocks = [para((strong(f"Item {i}"),), "word " * 150) for i in range(40)]
    messages = telegram_html(_reply(*blocks))
    assert len(messages) > 1
    assert all(0 < len(m) <= TELEGRAM_LIMIT for m in messages)
    assert all(m.startswith("<b>Item") for m in messages)  # every message starts at a paragraph
    assert sum(m.count("<b>Item") for m in messages) == 40
    assert all(_valid(m) for m in messages)


def test_a_single_huge_paragraph_is_cut_without_breaking_entities() -> None:
    reply = _reply(Block(((Span("<&>" * 5000, strong=True),),)))
    messages = telegram_html(reply)
    assert all(len(m) <= TELEGRAM_LIMIT for m in messages)
    assert all(_valid(m) for m in messages)
    assert "".join(re.sub(r"</?b>", "", m) for m in messages).count("&lt;&amp;&gt;") == 5000


def test_empty_reply_still_renders_one_message() -> None:
    assert telegram_html(_reply()) == ["…"]
