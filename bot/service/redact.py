"""Redaction for /unanswered: questions the bot could not answer, kept only in memory and only redacted.

Practitioners may type a child's name, a phone number or an address into a question. Admins need to see
what people ask that the bot cannot answer, not who it was about. So, in this order: e-mail addresses,
web links, @handles, UK phone numbers, then every word containing a digit (dates, postcodes, NHS
numbers), then every capitalised word the knowledge base does not know (a likely name) are replaced by
a placeholder. Over-redacting an ordinary capitalised word is the accepted price.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass

from bot.answers.reply import Reply, para
from bot.kb.models import ReplyKind
from bot.nlu.english import STOPWORDS
from bot.nlu.matcher import Matcher

EMAIL = "[email]"
LINK = "[link]"
HANDLE = "[handle]"
PHONE = "[phone]"
NUMBER = "[number]"
NAME = "[name]"

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")  # RFC 5322 dot-atom local parts
_LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
# UK numbers: +44 or 0, then 9-10 more digits, in any grouping of spaces, dots, hyphens and brackets.
_PHONE = re.compile(r"(?<![\w+])(?:\+\s?44\s?(?:\(0\)\s?)?|\(?0)(?:[\s.()-]*\d){9,10}(?!\w)")
_DIGIT_WORD = re.compile(r"[\w'’-]*\d[\w'’-]*")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")

DEFAULT_KEEP = 50
"""How many unanswered questions /unanswered remembers (oldest dropped first)."""

NormaliseWord = Callable[[str], tuple[str, ...]]


class Redactor:
    """Redacts text against one knowledge vocabulary (rebuild it when the public view changes)."""

    def __init__(self, vocabulary: Collection[str], normalise_word: NormaliseWord) -> None:
        self._vocabulary = vocabulary
        self._norm = normalise_word

    @classmethod
    def for_matcher(cls, matcher: Matcher) -> Redactor:
        return cls(matcher.vocabulary, matcher.norm)

    def _known(self, word: str) -> bool:
        tokens = self._norm(word)
        return bool(tokens) and all(t in self._vocabulary or t in STOPWORDS for t in tokens)

    def _name(self, match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) == 1 or not word[0].isupper() or self._known(word):
            return word  # single letters ("Child F", "I") identify nobody
        return NAME

    def redact(self, text: str) -> str:
        """`text` with contact details, numbers and unknown capitalised words replaced."""
        text = _EMAIL.sub(EMAIL, text)
        text = _LINK.sub(LINK, text)
        text = _HANDLE.sub(HANDLE, text)
        text = _PHONE.sub(PHONE, text)
        text = _DIGIT_WORD.sub(NUMBER, text)
        text = _WORD.sub(self._name, text)
        return " ".join(text.split())


@dataclass(frozen=True)
class Unanswered:
    at: dt.datetime
    text: str
    """Already redacted."""


class UnansweredLog:
    """The latest questions the bot could not answer, redacted on the way in, in memory only."""

    def __init__(self, keep: int = DEFAULT_KEEP, max_chars: int = 200) -> None:
        self._entries: deque[Unanswered] = deque(maxlen=keep)
        self._max_chars = max_chars

    def record(self, question: str, reply: Reply, redactor: Redactor, at: dt.datetime) -> bool:
        """Keep the question, redacted, if the reply was a fallback; True if kept."""
        if reply.kind != ReplyKind.FALLBACK:
            return False
        redacted = redactor.redact(question[: self._max_chars * 2])[: self._max_chars]
        if redacted:
            self._entries.append(Unanswered(at, redacted))
        return bool(redacted)

    def latest(self, limit: int | None = None) -> list[Unanswered]:
        """Newest first."""
        entries = list(reversed(self._entries))
        return entries if limit is None else entries[:limit]

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()


def unanswered_reply(log: UnansweredLog, limit: int = 20) -> Reply:
    """The /unanswered message for admins: newest first, already redacted."""
    entries = log.latest(limit)
    if not entries:
        return Reply(ReplyKind.CHAT, (para("No unanswered questions since the bot started."),), intent="admin")
    lines = [f"• {e.at:%d %b %H:%M}: {e.text}" for e in entries]
    heading = f"The latest {len(entries)} question(s) I could not answer (redacted, kept in memory only):"
    return Reply(ReplyKind.CHAT, (para(heading, *lines),), intent="admin")
