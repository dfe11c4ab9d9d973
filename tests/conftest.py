"""Shared fixtures: the fixture knowledge as every test's default (and the shipped one out of reach), a copy of
it with an embargoed review, a settable clock, and the Telegram harness (the real Application polling the
loopback fake Bot API)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `tests.fakes` imports also when pytest is run as a plain command
    sys.path.insert(0, str(ROOT))

from bot.kb.loader import load_knowledge  # noqa: E402
from bot.kb.models import KnowledgeBase  # noqa: E402
from bot.service.engine import Engine  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.fakes.bot_api import FakeBotAPI  # noqa: E402
from tests.kb_builders import FIXTURE_KNOWLEDGE  # noqa: E402
from tests.shipped_guard import GUARD, HINT  # noqa: E402  (installs the guard before any test module loads)

if TYPE_CHECKING:
    from bot.service.store import Store
    from bot.transports.telegram.app import App

LONDON = ZoneInfo("Europe/London")
EMBARGO_LIFTS = dt.datetime(2030, 1, 1, 9, 0, tzinfo=LONDON)
BEFORE_EMBARGO = dt.datetime(2029, 12, 31, 12, 0, tzinfo=LONDON)

# Child K exists only through an embargoed report; Child L is public (with a very long summary, to force a
# split) with an embargoed report beside it. Distinctive words make any leak easy to find.
EMBARGO_SECRETS = ("Child K", "Kestrelmoor", "Lanternfish", "embargoed.example.org")
EMBARGO_YAML = """\
reviews:
  - id: child-k
    name: Child K
    aliases: [Kestrelmoor review]
    partnership: lscpb
    review_type: lcspr
    summary: A review about the Kestrelmoor household, referred to as Child K.
    documents:
      - id: child-k-report
        type: report
        title: Child K - Kestrelmoor review report
        status: embargoed
        publish_on: 2030-01-01T09:00
        url: https://embargoed.example.org/child-k/kestrelmoor-report.pdf
        summary: Kestrelmoor findings, not yet public.
        sources: [https://example.org/test-source]
        checked: 2026-11-01
    sources: [https://example.org/test-source]
    checked: 2026-11-01
  - id: child-l
    name: Child L
    partnership: lscpb
    review_type: lcspr
    summary: >-
      {long}
    documents:
      - id: child-l-briefing
        type: briefing
        title: Child L - briefing
        status: published
        published_on: 2024-01-15
        url: https://public.example.org/child-l/briefing
        summary: The public briefing on the Child L review.
        sources: [https://example.org/test-source]
        checked: 2026-11-01
      - id: child-l-report
        type: report
        title: Child L - Lanternfish full report
        status: embargoed
        publish_on: 2030-01-01T09:00
        url: https://embargoed.example.org/child-l/lanternfish-report.pdf
        summary: Lanternfish findings, not yet public.
        sources: [https://example.org/test-source]
        checked: 2026-11-01
    sources: [https://example.org/test-source]
    checked: 2026-11-01
"""
LONG_SENTENCE = "Agencies shared information late & did not escalate concerns <in time>. "


def write_test_knowledge(target: Path) -> Path:
    """A copy of the fixture knowledge plus the embargo scenario above."""
    shutil.copytree(FIXTURE_KNOWLEDGE, target)
    (target / "telegram-tests.yaml").write_text(EMBARGO_YAML.replace("{long}", LONG_SENTENCE * 90), "utf-8")
    return target


@pytest.fixture(autouse=True, scope="session")
def _knowledge_dir_is_the_fixture() -> Iterator[None]:
    """`python -m bot` run by a test without --knowledge reads the frozen fixture, never the shipped knowledge,
    so a content change breaks no code test (tests/content/ sets the shipped one for the tests about it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KNOWLEDGE_DIR", str(FIXTURE_KNOWLEDGE))
        yield


@pytest.fixture(autouse=True)
def _shipped_knowledge_was_not_read() -> Iterator[None]:
    """Fails a test that opened a file of the shipped knowledge, even where the code caught the refusal."""
    GUARD.take()
    yield
    reads = GUARD.take()
    assert not reads, f"{HINT}: {reads}"


class Clock:
    """A clock the test sets; the engine reads it on every question."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """The fixture knowledge written to a folder of its own (modules that need other content override this)."""
    return write_test_knowledge(tmp_path / "knowledge")


@pytest.fixture
def local_engine(knowledge: Path) -> Engine:
    """An engine over `knowledge` in this process, to know what each answer of a bot under test must be."""
    return Engine(load_knowledge(knowledge), Clock(BEFORE_EMBARGO))


@pytest.fixture(scope="session")
def embargo_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load_knowledge(write_test_knowledge(tmp_path_factory.mktemp("kb") / "knowledge"))


@pytest.fixture
def clock() -> Clock:
    return Clock(BEFORE_EMBARGO)


@pytest.fixture
def engine(embargo_kb: KnowledgeBase, clock: Clock) -> Engine:
    return Engine(embargo_kb, clock)


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


@dataclass
class TelegramHarness:
    api: FakeBotAPI
    engine: Engine
    application: App
    data_dir: Path
    allowed_errors: set[str] = field(default_factory=set)


@asynccontextmanager
async def running_bot(
    api: FakeBotAPI,
    engine: Engine,
    timeout: float = 5.0,
    *,
    data_dir: Path,
    admin_ids: Iterable[int] = (),
    knowledge_dir: Path | None = None,
) -> AsyncIterator[App]:
    """The real Application, started and stopped the way run_polling does it (without signal handling):
    initialize, post_init, polling, start … stop, shutdown, post_shutdown."""
    from telegram import Update

    from bot.transports.telegram.app import build_application

    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_URL": api.url,
            "DATA_DIR": str(data_dir),
            "ADMIN_IDS": ",".join(str(i) for i in admin_ids),
        }
    )
    application = build_application(engine, settings, knowledge_dir=knowledge_dir, timeout=timeout)
    assert application.post_init is not None and application.post_shutdown is not None
    try:
        async with application:
            assert application.updater is not None
            await application.post_init(application)
            await application.updater.start_polling(poll_interval=0, allowed_updates=Update.ALL_TYPES)
            await application.start()
            try:
                yield application
            finally:
                await application.updater.stop()
                await application.stop()
    finally:
        await application.post_shutdown(application)


@pytest.fixture
def bot_timeout() -> float:
    """The bot's HTTP timeouts in seconds; a test overrides it with @pytest.mark.parametrize("bot_timeout", …)."""
    return 5.0


@pytest.fixture
async def telegram(
    bot_api: FakeBotAPI, engine: Engine, bot_timeout: float, tmp_path: Path
) -> AsyncIterator[TelegramHarness]:
    """The bot running against the fake. Afterwards: no request was refused (unless allowed), and every
    message was HTML without link previews."""
    data_dir = tmp_path / "data"
    async with running_bot(bot_api, engine, bot_timeout, data_dir=data_dir) as application:
        harness = TelegramHarness(bot_api, engine, application, data_dir)
        yield harness
    check_requests(bot_api, harness.allowed_errors)


def check_requests(api: FakeBotAPI, allowed_errors: Iterable[str] = ()) -> None:
    """No request was refused (unless allowed), and every message was HTML without link previews."""
    allowed = set(allowed_errors)
    refused = [(c.method, c.description) for c in api.errors if c.description not in allowed]
    assert not refused, f"the fake Bot API refused requests: {refused}"
    texts = [c.params for c in api.calls if c.method in ("sendMessage", "editMessageText") and c.status == 200]
    assert all(p.get("parse_mode") == "HTML" for p in texts), "a message was sent without parse_mode HTML"
    assert all(p.get("link_preview_options") == {"is_disabled": True} for p in texts), "a link preview was left on"


# ----- stores: every store test runs against SQLite and a real PostgreSQL ----------------------------------

StoreOpener = Callable[..., Awaitable["Store"]]
"""Opens one more store on the test's database: `await open_store(clock=...)`."""


def postgres_url() -> str:
    """The test server's URL; a failure, never a skip, when there is none (scripts/test starts one)."""
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url:
        pytest.fail(
            "TEST_DATABASE_URL is not set: run ./scripts/test (it starts a throwaway PostgreSQL), or run "
            "scripts/postgres start DIR and export the URL it prints"
        )
    return url


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh, empty schema on the test server for one test, as a conninfo whose search_path is it."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    url = postgres_url()
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {name}")
    try:
        yield make_conninfo(url, options=f"-c search_path={name}")
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {name} CASCADE")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty database on the test server, as a postgresql:// URL (what DATABASE_URL takes)."""
    import psycopg

    url = postgres_url()
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    parts = urlsplit(url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def open_test_store(store_kind: str, tmp_path: Path) -> AsyncIterator[StoreOpener]:
    """Opens stores on one database of the parametrised kind (each call: another connection or pool, as
    another process or replica would have); closes them all afterwards."""
    from bot.service.store import SqliteStore, utc_now
    from bot.service.store.postgres import PostgresStore

    opened: list[Store] = []
    with ExitStack() as stack:
        conninfo = stack.enter_context(postgres_schema()) if store_kind == "postgresql" else ""

        async def opener(clock: Callable[[], dt.datetime] = utc_now) -> Store:
            store: Store
            if conninfo:
                store = await PostgresStore.connect(conninfo, clock, max_size=4)
            else:
                store = SqliteStore(tmp_path / "data" / "bot.sqlite3", clock)
            opened.append(store)
            return store

        try:
            yield opener
        finally:
            for store in opened:
                await store.close()


@pytest.fixture
async def store(open_test_store: StoreOpener) -> Store:
    """A store of each kind on a fresh database."""
    return await open_test_store()
