"""Problems with a knowledge base, located for a human editor, and the one error that carries them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import KnowledgeError

PathKey = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the knowledge base, located for a human editor."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key}: {self.message}"


class KnowledgeInvalid(KnowledgeError):  # noqa: N818 - reads better at the raise site than KnowledgeInvalidError
    """The knowledge base has problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
