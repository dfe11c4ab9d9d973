"""The conversation service on its own: what every way in (Telegram, the web chat) shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers.render import plain_text
from bot.kb.models import ReplyKind
from bot.service.conversation import (
    COMMANDS,
    LINK_EXPIRED,
    UNKNOWN_COMMAND,
    WELCOME,
    Channel,
    Conversations,
)
from bot.service.engine import Engine


@pytest.fixture
def service(engine: Engine, tmp_path: Path) -> Conversations:
    return Conversations(engine, data_dir=tmp_path / "data", admin_ids=frozenset({42}))


async def test_questions_are_counted_by_way_in_and_fallbacks_kept_redacted(service: Conversations) -> None:
    await service.open()
    try:
        assert service.ask("child e", Channel.TELEGRAM).kind == ReplyKind.ANSWER
        assert service.ask("Zephyrine on 07700 900123 wants a joke", Channel.WEB).kind == ReplyKind.FALLBACK
        stats = plain_text(await service.stats_reply())
        assert "2 replies" in stats and "By way in: telegram 1, web 1." in stats
        unanswered = plain_text(service.unanswered_reply())
        assert "[name]" in unanswered and "[phone]" in unanswered
        assert "Zephyrine" not in unanswered and "07700" not in unanswered
    finally:
        await service.close()


def test_welcome_deep_links_and_commands_come_from_one_table(service: Conversations, engine: Engine) -> None:
    assert plain_text(service.welcome()).startswith(WELCOME)
    assert service.welcome("review:child-e") == engine.act("review:child-e")
    assert plain_text(service.welcome("review:child-k")).startswith(LINK_EXPIRED)  # embargoed: no such review
    for command in COMMANDS:
        replies = service.command(command.name)
        assert replies, command.name
    assert service.command("latest") == [engine.act("latest_reviews")]
    [unknown] = service.command("nonsense")
    assert plain_text(unknown).startswith(UNKNOWN_COMMAND)


async def test_feedback_counts_only_valid_actions(service: Conversations) -> None:
    await service.open()
    try:
        reply = service.ask("latest reviews", Channel.WEB)
        yes, _ = service.feedback_buttons(reply)
        assert yes.action is not None and await service.feedback(yes.action)
        assert not await service.feedback("feedback:yes:no_such_intent")
        assert not await service.feedback("feedback:maybe:latest_reviews")
        assert (await service.store.feedback())["latest_reviews"].helpful == 1
    finally:
        await service.close()


async def test_the_store_stays_open_until_the_last_transport_stops(service: Conversations) -> None:
    first = await service.open()
    assert await service.open() is first  # a second transport shares it
    await service.close()
    assert service.store is first
    await service.close()
    with pytest.raises(RuntimeError):
        _ = service.store


def test_admins_are_the_configured_ids(service: Conversations) -> None:
    assert service.is_admin(42)
    assert not service.is_admin(7) and not service.is_admin(None)


def test_the_service_imports_no_transport() -> None:
    """Transports depend on the service, never the other way round."""
    import ast

    import bot.service

    for module in Path(bot.service.__file__).parent.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.startswith(("bot.transports", "telegram", "aiohttp"))], module.name
