"""Publication rules: what the public view holds at a moment, with embargoes in Europe/London time (GMT and BST)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kb_builders import (
    AFTER_ALL,
    ALL_RELEASES,
    BEFORE_ALL,
    FIXTURE_KNOWLEDGE,
    LONDON,
    ONE_SECOND,
    UTC,
    WITHHELD_DOC_ID,
    WITHHELD_REVIEW_ID,
    Y_BRIEFING_ID,
    Y_ID,
    Y_REPORT_ID,
    Y_REPORT_RELEASE,
    Y_REPORT_SUMMARY,
    Y_REPORT_TITLE,
    Y_REPORT_URL,
    Y_STATEMENT_ID,
    Y_STATEMENT_RELEASE,
    Y_WITHDRAWN_ID,
    Z_DOC_ID,
    Z_DOC_RELEASE,
    Z_DOC_URL,
    Z_FOREWORD_ID,
    Z_ID,
    Z_STATEMENT_ID,
    Z_STATEMENT_RELEASE,
    add_review,
    copy_knowledge,
    document,
    embargo_knowledge,
)

from bot.kb.loader import load_knowledge
from bot.kb.models import (
    Document,
    EmbargoedDocument,
    KnowledgeBase,
    PublishedDocument,
    Review,
    WithdrawnDocument,
    WithheldDocument,
)
from bot.kb.visibility import as_london, next_release, public_view, released
from bot.service.engine import Engine

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def secret_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return embargo_knowledge(tmp_path_factory.mktemp("vis"))


@pytest.fixture(scope="module")
def kb(secret_dir: Path) -> KnowledgeBase:
    return load_knowledge(secret_dir)


@pytest.fixture(scope="module")
def public_only_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load_knowledge(embargo_knowledge(tmp_path_factory.mktemp("pub"), with_secrets=False))


def review(view: KnowledgeBase, review_id: str) -> Review | None:
    return next((r for r in view.reviews if r.id == review_id), None)


def doc_ids(view: KnowledgeBase, review_id: str) -> list[str]:
    found = review(view, review_id)
    assert found is not None, f"{review_id} is not in the view"
    return [d.id for d in found.documents]


def doc(view: KnowledgeBase, review_id: str, doc_id: str) -> Document:
    found = review(view, review_id)
    assert found is not None
    return next(d for d in found.documents if d.id == doc_id)


def statement_ids(view: KnowledgeBase) -> set[str]:
    return {s.id for s in view.statements}


# ----- as_london and released ------------------------------------------------------------------------------


def test_as_london_reads_naive_times_as_london_wall_clock() -> None:
    summer = as_london(dt.datetime(2030, 7, 1, 9, 0))
    assert summer.utcoffset() == dt.timedelta(hours=1)
    assert summer.astimezone(UTC) == dt.datetime(2030, 7, 1, 8, 0, tzinfo=UTC)
    winter = as_london(dt.datetime(2030, 1, 1, 9, 0))
    assert winter.utcoffset() == dt.timedelta(0)
    assert winter.astimezone(UTC) == dt.datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def test_as_london_converts_aware_times_without_changing_the_instant() -> None:
    moment = dt.datetime(2030, 7, 1, 23, 30, tzinfo=UTC)
    london = as_london(moment)
    assert london == moment
    assert (london.date(), london.hour) == (dt.date(2030, 7, 2), 0)


@pytest.mark.parametrize(
    ("publish_on", "now", "expected"),
    [
        (None, BEFORE_ALL, True),
        (Z_DOC_RELEASE, Z_DOC_RELEASE - ONE_SECOND, False),
        (Z_DOC_RELEASE, Z_DOC_RELEASE, True),
        (dt.datetime(2030, 1, 1, 9, 0), dt.datetime(2030, 1, 1, 8, 59, 59, tzinfo=UTC), False),
        (dt.datetime(2030, 1, 1, 9, 0), dt.datetime(2030, 1, 1, 9, 0, tzinfo=UTC), True),
        (dt.datetime(2030, 7, 1, 9, 0), dt.datetime(2030, 7, 1, 7, 59, 59, tzinfo=UTC), False),
        (dt.datetime(2030, 7, 1, 9, 0), dt.datetime(2030, 7, 1, 8, 0, tzinfo=UTC), True),
        (dt.datetime(2030, 7, 1, 9, 0), dt.datetime(2030, 7, 1, 8, 59, 59), False),
        (dt.datetime(2030, 7, 1, 9, 0), dt.datetime(2030, 7, 1, 9, 0), True),
        (dt.datetime(2030, 7, 1, 8, 0, tzinfo=UTC), dt.datetime(2030, 7, 1, 9, 0), True),
        (dt.datetime(2030, 7, 1, 8, 0, tzinfo=UTC), dt.datetime(2030, 7, 1, 8, 59, 59), False),
    ],
    ids=[
        "no-embargo",
        "second-before",
        "exactly-at",
        "winter-utc-before",
        "winter-utc-at",
        "summer-utc-before",
        "summer-utc-at",
        "summer-naive-before",
        "summer-naive-at",
        "aware-embargo-naive-now-at",
        "aware-embargo-naive-now-before",
    ],
)
def test_released(publish_on: dt.datetime | None, now: dt.datetime, expected: bool) -> None:
    assert released(publish_on, now) is expected


# ----- documents and reviews -------------------------------------------------------------------------------


def test_published_documents_are_visible_whenever(kb: KnowledgeBase) -> None:
    fixture = load_knowledge(FIXTURE_KNOWLEDGE)
    for moment in (dt.datetime(2000, 1, 1, tzinfo=LONDON), BEFORE_ALL, AFTER_ALL):
        view = public_view(kb, moment)
        for fixture_review in fixture.reviews:
            assert doc_ids(view, fixture_review.id) == [d.id for d in fixture_review.documents]
        assert Y_BRIEFING_ID in doc_ids(view, Y_ID)


@pytest.mark.parametrize(
    "before",
    [
        Z_DOC_RELEASE - ONE_SECOND,
        dt.datetime(2030, 1, 1, 8, 59, 59, tzinfo=UTC),
        dt.datetime(2030, 1, 1, 8, 59, 59),
        dt.datetime(2030, 1, 1, 3, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    ],
    ids=["london", "utc", "naive", "utc-5"],
)
def test_winter_embargo_review_is_absent_one_second_before(kb: KnowledgeBase, before: dt.datetime) -> None:
    view = public_view(kb, before)
    assert review(view, Z_ID) is None
    assert all(d.id != Z_DOC_ID for r in view.reviews for d in r.documents)


@pytest.mark.parametrize(
    "at",
    [
        Z_DOC_RELEASE,
        dt.datetime(2030, 1, 1, 9, 0, tzinfo=UTC),
        dt.datetime(2030, 1, 1, 9, 0),
        dt.datetime(2030, 1, 1, 4, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    ],
    ids=["london", "utc", "naive", "utc-5"],
)
def test_winter_embargo_review_is_visible_exactly_at_the_moment(kb: KnowledgeBase, at: dt.datetime) -> None:
    view = public_view(kb, at)
    assert doc_ids(view, Z_ID) == [Z_DOC_ID]


@pytest.mark.parametrize(
    ("moment", "visible"),
    [
        (dt.datetime(2030, 7, 1, 7, 59, 59, tzinfo=UTC), False),
        (dt.datetime(2030, 7, 1, 8, 0, tzinfo=UTC), True),
        (dt.datetime(2030, 7, 1, 8, 59, 59), False),
        (dt.datetime(2030, 7, 1, 9, 0), True),
        (dt.datetime(2030, 7, 1, 12, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=5))), False),
        (dt.datetime(2030, 7, 1, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=5))), True),
    ],
    ids=["utc-before", "utc-at", "naive-before", "naive-at", "utc+5-before", "utc+5-at"],
)
def test_summer_embargo_follows_british_summer_time(kb: KnowledgeBase, moment: dt.datetime, visible: bool) -> None:
    view = public_view(kb, moment)
    expected = [Y_BRIEFING_ID, Y_REPORT_ID, Y_WITHDRAWN_ID] if visible else [Y_BRIEFING_ID, Y_WITHDRAWN_ID]
    assert doc_ids(view, Y_ID) == expected


def test_a_review_with_a_published_and_an_embargoed_document_shows_only_the_published_one(kb: KnowledgeBase) -> None:
    view = public_view(kb, Y_REPORT_RELEASE - ONE_SECOND)
    child_y = review(view, Y_ID)
    assert child_y is not None
    assert Y_REPORT_ID not in [d.id for d in child_y.documents]
    assert {d.status for d in child_y.documents} == {"published", "withdrawn"}
    assert Y_REPORT_URL not in {getattr(d, "url", None) for d in child_y.documents}


def test_released_document_becomes_published_on_its_london_date(kb: KnowledgeBase) -> None:
    released_doc = doc(public_view(kb, Y_REPORT_RELEASE), Y_ID, Y_REPORT_ID)
    assert isinstance(released_doc, PublishedDocument)
    assert released_doc.status == "published"
    assert released_doc.published_on == dt.date(2030, 7, 1)
    assert (released_doc.title, released_doc.url, released_doc.summary) == (
        Y_REPORT_TITLE,
        Y_REPORT_URL,
        Y_REPORT_SUMMARY,
    )
    released_z = doc(public_view(kb, Z_DOC_RELEASE), Z_ID, Z_DOC_ID)
    assert isinstance(released_z, PublishedDocument) and released_z.url == Z_DOC_URL
    assert released_z.published_on == dt.date(2030, 1, 1)


@pytest.mark.parametrize(
    ("publish_on", "london_date"),
    [
        ("2030-06-30T23:30:00+00:00", dt.date(2030, 7, 1)),  # 00:30 BST on 1 July
        ("2030-01-01T23:30:00+00:00", dt.date(2030, 1, 1)),  # GMT: still 1 January
        ("2030-07-01T00:30", dt.date(2030, 7, 1)),  # naive: London wall clock
        ("2030-07-01T00:30:00+02:00", dt.date(2030, 6, 30)),  # 1 July abroad, 23:30 BST on 30 June in London
    ],
)
def test_published_on_is_the_london_date_of_the_release(tmp_path: Path, publish_on: str, london_date: dt.date) -> None:
    directory = copy_knowledge(tmp_path)
    add_review(
        directory,
        "zz-midnight.yaml",
        "child-m",
        "Child M",
        document("child-m-report", "embargoed", publish_on=publish_on, url="https://e.org/m", summary="Midnight."),
    )
    kb = load_knowledge(directory)
    embargoed = kb.reviews[-1].documents[0]
    assert isinstance(embargoed, EmbargoedDocument)
    view = public_view(kb, AFTER_ALL)
    released_doc = doc(view, "child-m", "child-m-report")
    assert isinstance(released_doc, PublishedDocument)
    assert released_doc.published_on == london_date
    assert review(public_view(kb, embargoed.publish_on - ONE_SECOND), "child-m") is None
    assert review(public_view(kb, embargoed.publish_on), "child-m") is not None


def test_the_view_never_holds_an_embargoed_document(kb: KnowledgeBase) -> None:
    for moment in (BEFORE_ALL, *ALL_RELEASES, *(m - ONE_SECOND for m in ALL_RELEASES), AFTER_ALL):
        view = public_view(kb, moment)
        assert not any(isinstance(d, EmbargoedDocument) for r in view.reviews for d in r.documents)


def test_withheld_and_withdrawn_documents_carry_no_url_or_summary(kb: KnowledgeBase) -> None:
    view = public_view(kb, AFTER_ALL)
    withheld = doc(view, WITHHELD_REVIEW_ID, WITHHELD_DOC_ID)
    assert isinstance(withheld, WithheldDocument)
    assert withheld.reason
    withdrawn = doc(view, Y_ID, Y_WITHDRAWN_ID)
    assert isinstance(withdrawn, WithdrawnDocument)
    for document_ in (withheld, withdrawn):
        assert not hasattr(document_, "url")
        assert not hasattr(document_, "summary")
        assert "url" not in document_.model_dump() and "summary" not in document_.model_dump()
    for any_review in view.reviews:
        for any_doc in any_review.documents:
            assert hasattr(any_doc, "url") == isinstance(any_doc, PublishedDocument)


def test_the_rest_of_the_knowledge_base_is_unchanged(kb: KnowledgeBase) -> None:
    view = public_view(kb, BEFORE_ALL)
    for section in ("partnerships", "resources", "themes", "contacts", "terms", "topics", "intents", "synonyms"):
        assert getattr(view, section) == getattr(kb, section)


def test_before_any_release_the_view_is_exactly_the_public_part(
    kb: KnowledgeBase, public_only_kb: KnowledgeBase
) -> None:
    for moment in (BEFORE_ALL, Z_DOC_RELEASE - ONE_SECOND):
        assert public_view(kb, moment) == public_view(public_only_kb, moment)
    assert public_view(kb, Z_DOC_RELEASE) != public_view(public_only_kb, Z_DOC_RELEASE)


# ----- statements ------------------------------------------------------------------------------------------


def test_statements_of_an_invisible_review_are_absent(kb: KnowledgeBase) -> None:
    before = statement_ids(public_view(kb, Z_DOC_RELEASE - ONE_SECOND))
    at = statement_ids(public_view(kb, Z_DOC_RELEASE))
    assert Z_FOREWORD_ID not in before  # it has no publish_on of its own: hidden because its review is
    assert Z_FOREWORD_ID in at


def test_statement_with_a_future_publish_on_is_absent(kb: KnowledgeBase) -> None:
    assert Z_STATEMENT_ID not in statement_ids(public_view(kb, Z_STATEMENT_RELEASE - ONE_SECOND))
    assert Z_STATEMENT_ID in statement_ids(public_view(kb, Z_STATEMENT_RELEASE))
    # Child Y is visible the whole time; its statement waits for its own moment (12:00 BST = 11:00 UTC).
    assert review(public_view(kb, BEFORE_ALL), Y_ID) is not None
    assert Y_STATEMENT_ID not in statement_ids(public_view(kb, dt.datetime(2030, 4, 15, 10, 59, 59, tzinfo=UTC)))
    assert Y_STATEMENT_ID in statement_ids(public_view(kb, dt.datetime(2030, 4, 15, 11, 0, tzinfo=UTC)))


def test_fixture_statements_are_visible(kb: KnowledgeBase) -> None:
    fixture = {s.id for s in load_knowledge(FIXTURE_KNOWLEDGE).statements}
    assert fixture <= statement_ids(public_view(kb, BEFORE_ALL))


# ----- next_release ----------------------------------------------------------------------------------------


def test_next_release_walks_every_moment_in_order_then_none(kb: KnowledgeBase) -> None:
    moments: list[dt.datetime] = []
    now = BEFORE_ALL
    while (upcoming := next_release(kb, now)) is not None:
        assert upcoming > now
        moments.append(upcoming)
        now = upcoming
        assert len(moments) <= len(ALL_RELEASES), "next_release does not advance"
    assert moments == list(ALL_RELEASES)
    assert all(m.tzinfo is not None for m in moments)


def test_next_release_is_the_nearest_future_moment(kb: KnowledgeBase) -> None:
    assert next_release(kb, Z_DOC_RELEASE - ONE_SECOND) == Z_DOC_RELEASE
    assert next_release(kb, Z_DOC_RELEASE) == Z_STATEMENT_RELEASE
    assert next_release(kb, dt.datetime(2030, 4, 15, 10, 59, 59, tzinfo=UTC)) == Y_STATEMENT_RELEASE
    assert next_release(kb, dt.datetime(2030, 7, 1, 7, 59, 59, tzinfo=UTC)) == Y_REPORT_RELEASE
    assert next_release(kb, Y_REPORT_RELEASE) is None
    assert next_release(kb, AFTER_ALL) is None


def test_next_release_is_none_without_embargoes() -> None:
    assert next_release(load_knowledge(FIXTURE_KNOWLEDGE), BEFORE_ALL) is None


# ----- the engine and the command line follow the clock ----------------------------------------------------


def test_engine_releases_at_the_moment_without_a_restart(kb: KnowledgeBase) -> None:
    clock = [Z_DOC_RELEASE - ONE_SECOND]
    engine = Engine(kb, lambda: clock[0])
    assert Z_ID not in engine.answer("Child Z").entries
    assert review(engine.view(), Z_ID) is None
    clock[0] = Z_DOC_RELEASE
    assert engine.answer("Child Z").entries == (Z_ID,)
    assert Z_DOC_URL in engine.answer("Child Z").links
    clock[0] = Z_DOC_RELEASE - ONE_SECOND  # a clock set back hides it again
    assert Z_ID not in engine.answer("Child Z").entries


def ask_jsonl(directory: Path, now: str, *questions: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--jsonl", "--knowledge", str(directory), "--now", now],
        input="".join(q + "\n" for q in questions),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.parametrize(
    ("now", "z_visible", "y_report_visible"),
    [
        ("2030-01-01T08:59:59+00:00", False, False),
        ("2030-01-01T09:00:00+00:00", True, False),
        ("2030-01-01T10:00:00+01:00", True, False),  # the same instant written with another offset
        ("2030-01-01T09:59:59+01:00", False, False),
        ("2030-07-01T07:59:59+00:00", True, False),
        ("2030-07-01T08:00:00+00:00", True, True),
        ("2030-07-01T08:59:59", True, False),  # no offset: London wall clock (BST)
        ("2030-07-01T09:00:00", True, True),
    ],
)
def test_ask_now_with_an_explicit_offset(secret_dir: Path, now: str, z_visible: bool, y_report_visible: bool) -> None:
    about_z, about_y = ask_jsonl(secret_dir, now, "tell me about child z", "where can i read the child y report")
    assert (about_z["entries"] == [Z_ID]) is z_visible
    assert (Z_DOC_URL in about_z["links"]) is z_visible
    assert about_y["entries"] == [Y_ID]
    assert (Y_REPORT_URL in about_y["links"]) is y_report_visible
    if not y_report_visible:
        assert "vorticella" not in about_y["text"].lower()
    if not z_visible:
        assert "zanzibar" not in about_z["text"].lower() and "child z" not in about_z["text"].lower()
