"""The console: a chat on the terminal, and text in and out that survives any bytes.

Practitioners paste from e-mails and case systems: stray bytes that are not UTF-8, or separators such as
U+2028, must neither crash the command nor lose the lines already answered.
"""

from __future__ import annotations

import io
import sys
from typing import TextIO

from bot.answers.render import plain_text
from bot.service.engine import Engine


def use_utf8_stdio() -> None:
    """Read and write UTF-8 whatever the locale: undecodable input becomes U+FFFD, never a crash, and
    never raw bytes copied through (the C locale's surrogateescape would)."""
    for stream in (sys.stdin, sys.stdout):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors="replace")


def valid_text(text: str) -> str:
    """A command-line argument as valid Unicode: bytes the locale could not decode become U+FFFD."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that did not come from a byte
        raw = text.encode("utf-8", "replace")
    return raw.decode("utf-8", "replace")


def console_chat(engine: Engine, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """An interactive chat on the terminal, on the same engine as Telegram."""
    if stdin is None or stdout is None:
        use_utf8_stdio()
    source = stdin or sys.stdin
    sink = stdout or sys.stdout
    interactive = source.isatty()
    print("Learning-from-Reviews assistant. Ask a question; 'quit' or Ctrl-D to leave.", file=sink)
    print(plain_text(engine.answer("help")), file=sink)
    while True:
        if interactive:
            print("\nyou> ", end="", file=sink, flush=True)
        line = source.readline()
        if not line or line.strip().lower() in {"quit", "exit", "/quit"}:
            return 0
        if not line.strip():
            continue
        print(("\nbot> " if interactive else "") + plain_text(engine.answer(line)), file=sink, flush=True)
        if not interactive:
            print(file=sink)
