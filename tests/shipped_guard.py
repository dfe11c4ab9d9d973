"""Code tests never read the shipped knowledge (bot/knowledge/), whatever path leads there.

An audit hook (PEP 578) sees every file this process opens. Opening one under the shipped knowledge is
refused and recorded, so a code test that reaches it (a default argument, the command line's default
directory, a module-level load, an error swallowed on the way) fails, naming the file. tests/content/ lifts
the guard for the tests about the shipped content. `python -m bot` subprocesses are kept on the fixture by
KNOWLEDGE_DIR (tests/conftest.py), and tests/content/test_content_changes_break_no_code_test.py runs code
tests against a changed shipped knowledge base end to end.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from bot.kb.loader import DEFAULT_KNOWLEDGE_DIR

HINT = (
    "a code test read the shipped knowledge: read FIXTURE_KNOWLEDGE (tests/kb_builders.py) instead, or move"
    " a test about the shipped content to tests/content/"
)


class ShippedKnowledgeReadError(AssertionError):
    """A code test opened a file of the shipped knowledge."""


@dataclass
class ShippedKnowledgeGuard:
    """Refuses and records every opening of a file under `root` while not lifted."""

    root: str
    lifted: int = 0
    reads: list[str] = field(default_factory=list)

    def audit(self, event: str, args: tuple[object, ...]) -> None:
        if event != "open" or self.lifted or not isinstance(args[0], str | bytes | os.PathLike):
            return  # an already open descriptor (an int) names no file
        path = os.path.abspath(os.fsdecode(args[0]))
        if path.startswith(self.root):
            self.reads.append(path)
            raise ShippedKnowledgeReadError(f"{path}: {HINT}")

    def take(self) -> list[str]:
        """The files opened since the last call."""
        reads, self.reads = self.reads, []
        return reads


GUARD = ShippedKnowledgeGuard(str(DEFAULT_KNOWLEDGE_DIR.resolve()) + os.sep)
sys.addaudithook(GUARD.audit)  # once: tests/ imports this module only as tests.shipped_guard
