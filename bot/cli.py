"""Command line: run / chat / ask / check / evaluate / explain / schema / bench / train / crossval (see the README)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.answers.render import plain_text, reply_record
from bot.answers.reply import Reply
from bot.errors import ReviewsBotError
from bot.kb.lint import DEFAULT_STALE_MONTHS, lint
from bot.kb.loader import DEFAULT_KNOWLEDGE_DIR, json_schema
from bot.kb.problems import KnowledgeInvalid
from bot.kb.visibility import as_london
from bot.service.engine import Clock, Engine, system_clock
from bot.service.knowledge import read_servable
from bot.service.releases import dst_warnings
from bot.tools import crossval, train  # scikit-learn is imported only when a model is fitted
from bot.transports.console import console_chat, use_utf8_stdio, valid_text

log = logging.getLogger("bot")


def _parse_now(value: str) -> dt.datetime:
    try:
        return as_london(dt.datetime.fromisoformat(value))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 date-time: {value!r}") from exc


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of months, 1 or more (got {value!r})")
    return number


def _share(value: str) -> float:
    try:
        share = float(value)
    except ValueError:
        share = -1.0
    if not 0.0 <= share <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a share between 0 and 1, e.g. 0.95 (got {value!r})")
    return share


def _sizes(value: str) -> str:
    """Comma-separated whole numbers of reviews, checked here and passed on as written."""
    parts = [part.strip() for part in value.split(",")]
    if not all(part.isdigit() and int(part) > 0 for part in parts):
        raise argparse.ArgumentTypeError(f"must be whole numbers of reviews separated by commas (got {value!r})")
    return value


def _common(parser: argparse.ArgumentParser, top: bool = False) -> None:
    """--knowledge and --now, accepted before or after the command (sub-commands must not reset them)."""
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--knowledge",
        type=Path,
        default=default,
        help="knowledge directory (default: $KNOWLEDGE_DIR or the packaged bot/knowledge/)",
    )
    parser.add_argument(
        "--now",
        type=_parse_now,
        default=default,
        help="answer as if it were this moment (ISO-8601; no offset = Europe/London); default: the real clock",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reviews-bot", description="Learning-from-Reviews assistant")
    _common(parser, top=True)
    commands = parser.add_subparsers(dest="command")
    _common(commands.add_parser("run", help="Telegram bot if TELEGRAM_BOT_TOKEN is set, else the console chat"))
    _common(commands.add_parser("chat", help="the console chat"))
    _common(commands.add_parser("web", help="the web chat page and JSON API on WEB_LISTEN:WEB_PORT (127.0.0.1:8080)"))
    ask = commands.add_parser("ask", help="answer questions given as arguments, or JSON lines from stdin")
    _common(ask)
    ask.add_argument("question", nargs="*", help="one or more questions (quote each)")
    ask.add_argument("--jsonl", action="store_true", help="read questions one per line on stdin; write JSON lines")
    check = commands.add_parser("check", help="validate and lint the knowledge base; exit 1 on errors")
    _common(check)
    check.add_argument(
        "--stale-months",
        type=_positive_int,
        default=DEFAULT_STALE_MONTHS,
        help=f"warn when an entry was checked longer ago than this (default {DEFAULT_STALE_MONTHS})",
    )
    evaluate = commands.add_parser("evaluate", help="score a labelled question set")
    _common(evaluate)
    evaluate.add_argument("file", type=Path, help="YAML list of {q, kind, intent?, entries?}")
    evaluate.add_argument("--show-wrong", action="store_true", help="list every wrong answer")
    evaluate.add_argument("--min-accuracy", type=_share, default=None, help="exit 1 below this accuracy (0-1)")
    _common(commands.add_parser("schema", help="print the JSON Schema of a knowledge file"))
    explain = commands.add_parser("explain", help="why the bot answers a question as it does, step by step")
    _common(explain)
    explain.add_argument("question", nargs="+", help="the question (quote it, or give its words)")
    bench = commands.add_parser("bench", help="latency, memory and throughput figures (see README, Benchmarks)")
    _common(bench)
    bench.add_argument(
        "--sizes", type=_sizes, default="1000,5000", help="synthetic review counts to add (comma-separated)"
    )
    bench.add_argument(
        "--questions", type=Path, default=None, help="labelled question set (default: the main regression set)"
    )
    bench.add_argument("--json", type=Path, default=None, help="write the results as JSON to this file")
    bench.add_argument("--quick", action="store_true", help="small sizes and few repeats, for tests")
    train_parser = commands.add_parser("train", help="build the learned intent model from labelled questions")
    _common(train_parser)
    train.add_arguments(train_parser)
    crossval_parser = commands.add_parser("crossval", help="rules, learned model and combined, by file held out")
    _common(crossval_parser)
    crossval.add_arguments(crossval_parser)
    return parser


def knowledge_dir(arg: Path | None) -> Path:
    if arg is not None:
        return arg
    env = os.environ.get("KNOWLEDGE_DIR")
    return Path(env) if env else DEFAULT_KNOWLEDGE_DIR


def _clock(now: dt.datetime | None) -> Clock:
    if now is None:
        return system_clock
    return lambda: now


LINE_BREAKS_JSON_KEEPS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}
"""Characters that JSON may leave raw but line-splitting readers (str.splitlines, JavaScript) break on."""


def reply_json(question: str, reply: Reply) -> str:
    """One line of `ask --jsonl` output, exactly as DESIGN.md's contract: one record per line, whatever the text."""
    line = json.dumps(reply_record(question, reply), ensure_ascii=False)
    for char, escaped in LINE_BREAKS_JSON_KEEPS.items():
        line = line.replace(char, escaped)
    return line


def _ask(engine: Engine, args: argparse.Namespace) -> int:
    use_utf8_stdio()
    if args.jsonl:
        for line in sys.stdin:
            question = line.rstrip("\n")
            print(reply_json(question, engine.answer(question)), flush=True)
        return 0
    if not args.question:
        print("ask: give a question, or --jsonl to read them from stdin", file=sys.stderr)
        return 2
    for index, question in enumerate(map(valid_text, args.question)):
        if index:
            print("\n---\n")
        print(plain_text(engine.answer(question)))
    return 0


def _check(directory: Path, args: argparse.Namespace) -> int:
    try:
        loaded = read_servable(directory)
    except KnowledgeInvalid as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(exc.problems)} error(s) in {directory}", file=sys.stderr)
        return 1
    kb = loaded.kb
    today = (args.now or as_london(system_clock())).date()
    warnings = [*lint(kb, today, args.stale_months), *dst_warnings(kb)]
    for warning in warnings:
        print(warning.located(loaded.locator.locate))
    counts = ", ".join(
        f"{len(getattr(kb, s))} {s}"
        for s in ("reviews", "statements", "resources", "themes", "contacts", "terms", "topics", "intents")
    )
    print(f"ok: {directory}: {counts}; {len(warnings)} warning(s)")
    return 0


def _evaluate(engine: Engine, args: argparse.Namespace, now: dt.datetime) -> int:
    from bot.tools.evaluation import evaluate, load_labels

    report = evaluate(engine, load_labels(args.file), now)
    if args.show_wrong:
        for outcome in report.outcomes:
            if not outcome.right or outcome.leaks:
                r = outcome.reply
                print(
                    f"WRONG {outcome.label.q!r}: want {outcome.label.kind.value}/{outcome.label.intent}"
                    f"/{outcome.label.entries} got {r.kind.value}/{r.intent}/{list(r.entries)} "
                    f"({r.confidence:.0f}) leaks={outcome.leaks}"
                )
        print()
    print(report.summary())
    if report.leak_count or (args.min_accuracy is not None and report.accuracy < args.min_accuracy):
        return 1
    return 0


def _run(engine: Engine, directory: Path) -> int:
    if os.environ.get("TELEGRAM_BOT_TOKEN"):
        from bot.transports.telegram.runner import run_telegram

        return run_telegram(engine, directory)
    print("TELEGRAM_BOT_TOKEN is not set: starting the console chat instead.", file=sys.stderr)
    return console_chat(engine)


def _web(engine: Engine, directory: Path) -> int:
    from bot.settings import Settings
    from bot.transports.web.runner import run_web

    return run_web(engine, directory, Settings.from_env(os.environ))


def main(argv: Sequence[str] | None = None) -> int:
    _load_dotenv()
    level = os.environ.get("LOG_LEVEL", "WARNING").upper()
    if not isinstance(logging.getLevelName(level), int):
        print(f"error: LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (got {level!r})", file=sys.stderr)
        return 2
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "run"
    try:
        return _dispatch(command, args)
    except ReviewsBotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _dispatch(command: str, args: argparse.Namespace) -> int:
    directory = knowledge_dir(args.knowledge)
    if command == "schema":
        print(json_schema())
        return 0
    if command == "check":
        return _check(directory, args)
    if command == "bench":
        from bot.tools.bench import run_bench

        return run_bench(directory, args)
    if command == "train":
        return train.run_train(directory, args)
    if command == "crossval":
        return crossval.run_crossval(directory, args)
    try:
        kb = read_servable(directory).kb
    except KnowledgeInvalid as exc:
        print(f"The knowledge base in {directory} has errors; not starting:\n{exc}", file=sys.stderr)
        return 1
    engine = Engine(kb, _clock(args.now))
    handlers: dict[str, Callable[[], int]] = {
        "run": lambda: _run(engine, directory),
        "chat": lambda: console_chat(engine),
        "web": lambda: _web(engine, directory),
        "ask": lambda: _ask(engine, args),
        "evaluate": lambda: _evaluate(engine, args, args.now or engine.now()),
        "explain": lambda: _explain(engine, " ".join(args.question)),
    }
    return handlers[command]()


def _explain(engine: Engine, question: str) -> int:
    from bot.tools.explain import explain, render

    use_utf8_stdio()
    print(render(explain(engine, valid_text(question))))
    return 0


def _load_dotenv() -> None:
    """Read a .env file when present; real environment variables win."""
    try:
        from dotenv import load_dotenv
    except ImportError:  # pragma: no cover - dependency declared; tolerate a bare checkout
        return
    load_dotenv(override=False)
