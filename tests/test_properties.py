"""Property tests: for any text at any moment before an embargo, nothing hidden reaches any output, and the
engine answers through its normal path (no exception swallowed into the apology).

The knowledge base is the fixture knowledge plus the scenario of `kb_builders`: Child Z (a review whose only
document is embargoed, with statements), Child Y (a published briefing beside an embargoed report, a withdrawn
briefing, an embargoed statement), and the fixture's withheld baby SCR report.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from kb_builders import (
    ALL_RELEASES,
    FIXTURE_KNOWLEDGE,
    LONDON,
    ONE_SECOND,
    UTC,
    Y_ID,
    Y_REPORT_RELEASE,
    Y_REPORT_URL,
    Y_SECRET_IDS,
    Y_SECRET_TEXTS,
    Y_SECRET_URLS,
    Z_ALIASES,
    Z_DOC_RELEASE,
    Z_DOC_URL,
    Z_ID,
    Z_IDS,
    Z_NAME,
    Z_TEXTS,
    Z_URLS,
    embargo_knowledge,
)

from bot.answers.render import plain_text, telegram_html
from bot.answers.reply import Reply
from bot.kb.leaks import find_leaks
from bot.kb.loader import load_knowledge
from bot.kb.models import KnowledgeBase, ReplyKind
from bot.service.conversation import Conversations
from bot.service.engine import Engine
from bot.settings import Settings
from bot.transports.web.chat import ChatRoutes

BOUNDED = settings(max_examples=200, deadline=None)
SMALL = settings(max_examples=60, deadline=None)

FORBIDDEN_BEFORE_Z = tuple(
    s.lower() for s in (*Z_TEXTS, *Z_URLS, *Z_IDS, *Y_SECRET_TEXTS, *Y_SECRET_URLS, *Y_SECRET_IDS)
)
"""Everything that must not be shown at any moment before Z_DOC_RELEASE (Child Y's secrets are released later)."""
APOLOGY = "something went wrong"

# ----- strategies ------------------------------------------------------------------------------------------

Z_NAMES = (
    Z_NAME,
    "child z",
    "CHILD Z",
    "Child  Z!!",
    "child-z",
    *Z_ALIASES,
    "zanzibar lane",
    "Quillfeather",
    "chld z",  # a synonym of child
    "Chlid Z",  # transposition
    "Chilld Z",  # insertion
    "Zanzibr Lane review",  # deletion
    "the Quilfeather case",  # deletion
    "Zanzibar Lnae review",  # transposition
    "Ottoline Marchbanks",
    "Barnabus Wrenfield-Tottle",
)
"""How people would name the embargoed review: its name, aliases, typos, and the people of its statements."""
Y_SECRET_NAMES = ("the Vorticella report", "Child Y full report", "Perpetua Hollingsworth", "child y statement")
TEMPLATES = (
    "{}",
    "tell me about {}",
    "where can I read the {} report",
    "what did the chair say about {}",
    "is the {} review out yet?",
    "when will {} be published",
    "{} briefing",
    "latest reviews and {}",
    "did you mean {}?",
    "neglect reviews like {}",
    "{} summary please",
    "any learning from {} on neglect",
    "I'm worried about a child, like {}",
    "<b>{}</b>",
    "{} 😀🙈",
)
NAMING_QUESTIONS = (
    "Child Z",
    "child z",
    "CHILD Z",
    "Child  Z!!",
    "tell me about child z",
    "Zanzibar Lane review",
    "the Quillfeather case",
    "chld z",
    "Chlid Z",
    "Chilld Z",
    "Zanzibr Lane review",
    "the Quilfeather case",
    "where can I read the child z report",
    "what did the chair say about child z",
)
"""Realistic questions that find Child Z once it is public: so the 'before' properties are not vacuous."""

realistic = st.builds(lambda t, n: t.format(n), st.sampled_from(TEMPLATES), st.sampled_from(Z_NAMES + Y_SECRET_NAMES))


@st.composite
def typo(draw: st.DrawFn) -> str:
    """A secret name with one random edit (delete, insert, replace or swap a character)."""
    name = draw(st.sampled_from(Z_NAMES + Y_SECRET_NAMES))
    i = draw(st.integers(0, len(name) - 1))
    letter = draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz &'-"))
    edits = (
        name[:i] + name[i + 1 :],
        name[:i] + letter + name[i:],
        name[:i] + letter + name[i + 1 :],
        name[:i] + name[i + 1 : i + 2] + name[i : i + 1] + name[i + 2 :],
    )
    edited: str = draw(st.sampled_from(edits))
    return edited


odd_characters = st.characters(
    categories=["Cc", "Cf", "Co", "So", "Sk", "Lo", "Mn", "Zs", "Zl", "Zp", "Nd", "Pd", "Ps", "Pe"], codec="utf-8"
)
emoji = st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)
scripts = st.sampled_from(
    [
        "Дитина",
        "Зет",
        "ребёнок",
        "子供",
        "报告",
        "طفل",
        "ילד",
        "παιδί",
        "बच्चा",
        "ßÆØÅĳŁódź",
        "İı",
        "ǅ",
        "ﬁ",
        "ＣＨＩＬＤ",
        "Ｚ",
    ]
)
html = st.sampled_from(
    [
        "<b>",
        "</a>",
        "&amp;",
        "&lt;child z&gt;",
        "<script>alert(1)</script>",
        f'<a href="{Z_DOC_URL}">',
        "\x00",
        "\u202e",
        "\ufeff",
        "\r\n",
    ]
)
any_text = st.one_of(
    st.text(max_size=10_000),
    st.text(alphabet=st.one_of(odd_characters, emoji), max_size=500),
    st.lists(st.one_of(scripts, html, emoji.map(str), st.text(max_size=20), realistic), max_size=30).map(" ".join),
    st.text(min_size=2_000, max_size=10_000, alphabet=st.sampled_from("child z zanzibar review neglect 😀 \n")),
)
questions = st.one_of(
    any_text,
    realistic,
    typo(),
    st.tuples(st.text(max_size=40), realistic, st.text(max_size=40)).map("".join),
)

zones: st.SearchStrategy[dt.tzinfo] = st.sampled_from(
    [LONDON, UTC, dt.timezone(dt.timedelta(hours=-11)), dt.timezone(dt.timedelta(hours=12, minutes=45))]
)


def moments(first: dt.datetime, last: dt.datetime) -> st.SearchStrategy[dt.datetime]:
    """Wall-clock times between `first` and `last`: naive (read as London) or in one of `zones`."""
    return st.one_of(
        st.datetimes(min_value=first, max_value=last),
        st.datetimes(min_value=first, max_value=last, timezones=zones),
    )


before_z = st.one_of(
    st.sampled_from([Z_DOC_RELEASE - ONE_SECOND, Z_DOC_RELEASE - dt.timedelta(microseconds=1)]),
    moments(dt.datetime(2000, 1, 1), dt.datetime(2029, 12, 31, 20, 0)),
)
"""Moments strictly before Child Z's release, naive (London) or in any offset within ±13 hours."""
edges = [m + delta for m in ALL_RELEASES for delta in (-ONE_SECOND, dt.timedelta(0), ONE_SECOND)]
any_moment = st.one_of(st.sampled_from(edges), moments(dt.datetime(2000, 1, 1), dt.datetime(2035, 1, 1)))


# ----- fixtures --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load_knowledge(embargo_knowledge(tmp_path_factory.mktemp("props")))


@pytest.fixture(scope="module")
def public_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load_knowledge(embargo_knowledge(tmp_path_factory.mktemp("props-public"), with_secrets=False))


@pytest.fixture(scope="module")
def engine(kb: KnowledgeBase) -> Engine:
    return Engine(kb)


@pytest.fixture(scope="module")
def public_engine(public_kb: KnowledgeBase) -> Engine:
    return Engine(public_kb)


@pytest.fixture(scope="module", autouse=True)
def no_apology() -> Iterator[None]:
    """Any exception inside Engine.answer reaches the test instead of turning into the apology."""

    def fail() -> Reply:
        raise AssertionError("Engine.answer took the apology path: an exception was swallowed")

    with mock.patch("bot.service.engine.apology", fail):
        yield


# ----- helpers ---------------------------------------------------------------------------------------------


def as_aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment


def shown(reply: Reply) -> str:
    """Everything a user or a client can see or send back: text, HTML, links, buttons, suggestions, entries."""
    parts = [plain_text(reply), *telegram_html(reply), *reply.links, *reply.suggestions, *reply.entries]
    for button in reply.buttons:
        parts += [button.label, button.url or "", button.action or ""]
    return "\n".join(parts).lower()


def exposed(reply: Reply, forbidden: tuple[str, ...]) -> list[str]:
    everything = shown(reply)
    return [secret for secret in forbidden if secret in everything]


def answer_directly(engine: Engine, question: str, now: dt.datetime) -> Reply:
    """The engine's own steps without its catch-all: any exception fails the test."""
    snap = engine.snapshot(now)
    return snap.composer.compose(snap.understand(question))  # rules, then the learned model where it may


# ----- the properties --------------------------------------------------------------------------------------


@BOUNDED
@given(question=questions, now=before_z)
@example(question="Child Z", now=Z_DOC_RELEASE - ONE_SECOND)
@example(question="where can I read the Vorticella report of child y", now=Z_DOC_RELEASE - ONE_SECOND)
@example(question="latest reviews", now=dt.datetime(2029, 12, 31, 23, 59, 59))
@example(question="neglect", now=dt.datetime(2030, 1, 1, 8, 59, 59, tzinfo=UTC))
@example(question="what did the chair say", now=dt.datetime(2029, 12, 31, 20, 0))
@example(question="\x00" * 10_000, now=dt.datetime(2029, 1, 1))
def test_nothing_hidden_is_shown_before_the_embargo(
    engine: Engine, kb: KnowledgeBase, question: str, now: dt.datetime
) -> None:
    assert as_aware(now) < Z_DOC_RELEASE
    direct = answer_directly(engine, question, now)
    reply = engine.answer(question, now)
    assert reply == direct, "Engine.answer did not take its normal path"
    assert APOLOGY not in plain_text(reply).lower()
    assert find_leaks(reply, kb, now) == []
    assert exposed(reply, FORBIDDEN_BEFORE_Z) == []
    assert Z_ID not in reply.entries and Y_REPORT_URL not in reply.links


@BOUNDED
@given(question=questions, now=before_z)
def test_before_the_embargo_replies_equal_those_of_a_knowledge_base_without_the_secrets(
    engine: Engine, public_engine: Engine, question: str, now: dt.datetime
) -> None:
    assert engine.answer(question, now) == public_engine.answer(question, now)


@BOUNDED
@given(question=questions, now=any_moment)
def test_no_reply_at_any_moment_leaks(engine: Engine, kb: KnowledgeBase, question: str, now: dt.datetime) -> None:
    reply = answer_directly(engine, question, now)
    assert engine.answer(question, now) == reply
    assert find_leaks(reply, kb, now) == []


ACTION_INTENTS = ("review", "where_to_read", "statement", "theme", "glossary", "latest_reviews", "help", "contacts")
actions = st.one_of(
    st.builds("{}:{}".format, st.sampled_from(ACTION_INTENTS), st.sampled_from((*Z_IDS, *Y_SECRET_IDS, Y_ID))),
    st.builds("{}:{}".format, st.sampled_from(ACTION_INTENTS), st.text(max_size=80)),
    st.text(max_size=200),
)


@BOUNDED
@given(action=actions, now=before_z)
@example(action=f"review:{Z_ID}", now=Z_DOC_RELEASE - ONE_SECOND)
@example(action=f"statement:{Z_ID}", now=Z_DOC_RELEASE - ONE_SECOND)
@example(action="theme:neglect", now=Z_DOC_RELEASE - ONE_SECOND)
@example(action="statement", now=Z_DOC_RELEASE - ONE_SECOND)
@example(action="latest_reviews", now=Z_DOC_RELEASE - ONE_SECOND)
def test_actions_never_show_hidden_entries(engine: Engine, kb: KnowledgeBase, action: str, now: dt.datetime) -> None:
    reply = engine.act(action, now)
    names_secret = action.partition(":")[2] in Z_IDS
    if names_secret:
        assert reply is None
    if reply is not None:
        assert find_leaks(reply, kb, now) == []
        assert exposed(reply, FORBIDDEN_BEFORE_Z) == []


# ----- the properties are not vacuous: the same questions and actions find Child Z once it is public -------------


@pytest.mark.parametrize("question", NAMING_QUESTIONS)
def test_after_the_embargo_the_review_is_found_by_the_same_questions(engine: Engine, question: str) -> None:
    before = engine.answer(question, Z_DOC_RELEASE - ONE_SECOND)
    after = engine.answer(question, Z_DOC_RELEASE)
    assert Z_ID not in before.entries
    assert after.kind == ReplyKind.ANSWER
    assert after.entries == (Z_ID,)
    assert Z_NAME.lower() in shown(after)


@pytest.mark.parametrize("intent", ["review", "where_to_read", "statement"])
def test_actions_naming_child_z_are_none_before_and_answer_from_the_moment(engine: Engine, intent: str) -> None:
    action = f"{intent}:{Z_ID}"
    assert engine.act(action, Z_DOC_RELEASE - ONE_SECOND) is None
    assert engine.act(action, dt.datetime(2030, 1, 1, 8, 59, 59, tzinfo=UTC)) is None
    reply = engine.act(action, Z_DOC_RELEASE)
    assert reply is not None
    assert reply.entries == (Z_ID,)
    assert Z_NAME.lower() in shown(reply)


def test_latest_reviews_lists_child_z_and_the_child_y_report_only_once_released(engine: Engine) -> None:
    before = engine.answer("latest reviews", Z_DOC_RELEASE - ONE_SECOND)
    at_z = engine.answer("latest reviews", Z_DOC_RELEASE)
    at_y = engine.answer("latest reviews", Y_REPORT_RELEASE)
    assert Z_ID not in before.entries and Z_DOC_URL not in before.links
    assert Z_ID in at_z.entries and Z_DOC_URL in at_z.links and Y_REPORT_URL not in at_z.links
    assert Y_REPORT_URL in at_y.links


def test_the_leak_detector_sees_a_released_reply_shown_too_early(engine: Engine, kb: KnowledgeBase) -> None:
    early = Z_DOC_RELEASE - ONE_SECOND
    released_reply = engine.answer("Child Z", Z_DOC_RELEASE)
    leaks = find_leaks(released_reply, kb, early)
    assert Z_NAME in leaks and Z_DOC_URL in leaks
    assert exposed(released_reply, FORBIDDEN_BEFORE_Z)


def test_the_apology_guard_is_armed(kb: KnowledgeBase) -> None:
    broken = Engine(kb)
    with mock.patch.object(broken, "snapshot", side_effect=RuntimeError("boom")), pytest.raises(AssertionError):
        broken.answer("Child E")


@pytest.fixture(scope="module")
def fixture_engine() -> Engine:
    return Engine(load_knowledge(FIXTURE_KNOWLEDGE))


@SMALL
@given(question=questions)
def test_fixture_knowledge_answers_any_text_through_the_normal_path(fixture_engine: Engine, question: str) -> None:
    engine = fixture_engine
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=LONDON)
    reply = engine.answer(question, now)
    assert reply == answer_directly(engine, question, now)
    assert reply.kind in set(ReplyKind)
    assert all(len(message) <= 4096 for message in telegram_html(reply))


def test_a_hidden_review_sharing_a_visible_name_is_not_a_leak_but_its_own_text_is() -> None:
    from bot.answers.reply import para
    from bot.kb.leaks import LeakChecker

    kb = load_knowledge(FIXTURE_KNOWLEDGE)
    hidden = kb.reviews[0].model_copy(
        update={"id": "hidden-twin", "summary": "A hidden twin summary.", "documents": [], "aliases": []}
    )
    twin = kb.model_copy(update={"reviews": (*kb.reviews, hidden)})
    checker = LeakChecker(twin, dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
    assert checker.find(Reply(ReplyKind.ANSWER, (para(kb.reviews[0].name),))) == []
    assert checker.find(Reply(ReplyKind.ANSWER, (para("A hidden twin summary."),))) == ["A hidden twin summary."]


# ----- the web path: what the chat page and its API receive ---------------------------------------------------


class MovableClock:
    def __init__(self) -> None:
        self.now = Z_DOC_RELEASE - ONE_SECOND

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture(scope="module")
def web(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> tuple[ChatRoutes, MovableClock]:
    """The web chat's handlers over the secrets' knowledge base, at a moment the test sets."""
    clock = MovableClock()
    service = Conversations(Engine(kb, clock), data_dir=tmp_path_factory.mktemp("web-data"))
    return ChatRoutes(service, Settings()), clock


def web_exposed(payload: dict[str, object]) -> list[str]:
    """Secrets in everything the page receives, but the user's own words sent back (question, action)."""
    served = json.dumps({k: v for k, v in payload.items() if k not in ("question", "action")}, ensure_ascii=False)
    return [secret for secret in FORBIDDEN_BEFORE_Z if secret in served.lower()]


@BOUNDED
@given(question=questions, now=before_z)
@example(question="Child Z", now=Z_DOC_RELEASE - ONE_SECOND)
@example(question="the Vorticella report", now=Z_DOC_RELEASE - ONE_SECOND)
def test_the_web_api_shows_nothing_hidden_before_the_embargo(
    web: tuple[ChatRoutes, MovableClock], engine: Engine, question: str, now: dt.datetime
) -> None:
    routes, clock = web
    clock.now = as_aware(now)
    status, payload = routes.ask({"question": question})
    assert status == 200 and web_exposed(payload) == []
    if question.strip():  # the same object as `ask --jsonl` at the same moment
        assert payload["text"] == plain_text(engine.answer(question, now))
    for button in payload["buttons"]:
        if "action" in button:
            assert web_exposed(routes.action({"action": button["action"]})[1]) == []


@BOUNDED
@given(action=actions, now=before_z)
@example(action=f"review:{Z_ID}", now=Z_DOC_RELEASE - ONE_SECOND)
def test_web_buttons_and_deep_links_never_show_hidden_entries(
    web: tuple[ChatRoutes, MovableClock], action: str, now: dt.datetime
) -> None:
    routes, clock = web
    clock.now = as_aware(now)
    if action.startswith("feedback:"):
        return
    assert web_exposed(routes.action({"action": action})[1]) == []
    assert web_exposed(routes.start({"payload": action.replace(":", "-", 1)})[1]) == []


def test_the_web_path_is_not_vacuous(web: tuple[ChatRoutes, MovableClock]) -> None:
    routes, clock = web
    clock.now = Z_DOC_RELEASE
    assert web_exposed(routes.ask({"question": "Child Z"})[1])
    assert web_exposed(routes.action({"action": f"review:{Z_ID}"})[1])
