"""Composed replies: what a practitioner reads, checked against the knowledge base's facts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from kb_builders import FIXTURE_KNOWLEDGE, copy_knowledge, edit

from bot.answers.composers import uk_date
from bot.answers.render import plain_text
from bot.kb.loader import load_knowledge
from bot.kb.models import ReplyKind
from bot.service.engine import Engine

SEED_PAGE = "https://lcitylscb.org/learning-from-reviews"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_knowledge(FIXTURE_KNOWLEDGE))


def test_uk_long_dates() -> None:
    assert uk_date(dt.date(2024, 7, 31)) == "31 July 2024"
    assert uk_date(dt.date(2024, 7, 1)) == "1 July 2024"


def test_latest_lists_newest_first_with_date_type_and_link(engine: Engine) -> None:
    reply = engine.answer("latest reviews")
    body = plain_text(reply)
    positions = [body.index(d) for d in ("31 July 2024", "17 July 2024", "10 July 2024", "date not given")]
    assert positions == sorted(positions)
    assert "improvements made briefing" in body
    assert reply.entries[:3] == ("child-e", "child-c-d", "patricia")
    assert SEED_PAGE in reply.links


def test_withheld_report_is_explained_never_linked_and_points_to_the_briefing(engine: Engine) -> None:
    reply = engine.answer("can i read the full baby report")
    body = plain_text(reply)
    assert reply.intent == "where_to_read"
    assert "will not be" in body and "surviving siblings" in body
    assert "Read instead: learning briefing" in body


def test_review_answer_names_partnership_date_and_statement(engine: Engine) -> None:
    body = plain_text(engine.answer("tell me about patricia"))
    assert "Patricia" in body and "10 July 2024" in body
    assert "Leicester Safeguarding Children Partnership Board" in body
    assert "Amanda Boodhoo" in body


def test_statement_without_one_on_record_says_so(engine: Engine) -> None:
    reply = engine.answer("what did the chair say about child e")
    assert reply.intent == "statement"
    assert "No statement is recorded for Child E" in plain_text(reply)


def test_urgent_reply_puts_999_first_then_local_duty_numbers(engine: Engine) -> None:
    reply = engine.answer("a child is in danger")
    body = plain_text(reply)
    assert reply.kind == ReplyKind.URGENT
    assert body.startswith("If a child is in immediate danger, call 999 now.")
    assert body.index("0116 454 1004") < body.index("0116 305 0005") < body.index("01572 758 407")
    assert body.index("01572 758 407") < body.index("0808 800 5000")


def test_theme_answer_links_the_nspcc_briefing(engine: Engine) -> None:
    reply = engine.answer("anything on CSE")
    assert reply.entries == ("child-sexual-exploitation",)
    assert "https://learning.nspcc.org.uk/research-resources/learning-from-case-reviews/child-sexual-exploitation" in (
        reply.links
    )
    assert "No local review is tagged with this theme." in plain_text(reply)


def test_clarify_offers_choices_as_suggestions_and_buttons(engine: Engine) -> None:
    reply = engine.answer("child")
    assert reply.kind == ReplyKind.CLARIFY
    assert set(reply.suggestions) == {"Child E", "Child C & D"}
    assert {b.action for b in reply.buttons} >= {"review:child-e", "review:child-c-d"}


def test_unknown_review_falls_back_without_echoing_the_name(engine: Engine) -> None:
    reply = engine.answer("child q review")
    assert reply.kind == ReplyKind.FALLBACK
    assert "Child Q" not in plain_text(reply)
    assert "Child E" in reply.suggestions


def test_every_button_action_resolves_to_a_reply(engine: Engine) -> None:
    questions = ["latest", "child e", "patricia", "neglect", "themes", "contacts", "help", "what is an scr", "child"]
    actions = {b.action for q in questions for b in engine.answer(q).buttons if b.action}
    assert actions
    for action in actions:
        assert engine.act(action) is not None, action
        assert len(action.encode()) <= 64


def test_act_refuses_what_does_not_exist(engine: Engine) -> None:
    assert engine.act("review:child-zz") is None
    assert engine.act("no_such_intent") is None


def test_an_action_that_needs_an_entry_and_names_none_is_refused(engine: Engine) -> None:
    assert engine.act("theme") is None
    assert engine.act("glossary") is None
    assert engine.act("theme:neglect") is not None


def test_every_entry_kind_a_clarify_may_offer_gets_a_working_button(engine: Engine) -> None:
    from bot.nlu.matcher import Ref, action_for

    for ref in [Ref("review", "child-e"), Ref("theme", "neglect"), Ref("term", "scr"), Ref("partnership", "lscpb")]:
        action = action_for(ref)
        assert action is not None and engine.act(action) is not None, ref
    assert action_for(Ref("resource", "nspcc-repository")) is None


def test_where_to_read_a_partnerships_reviews_gives_its_reviews_page(engine: Engine) -> None:
    home = plain_text(engine.answer("where on the lscpb website are the reviews"))
    assert "https://lcitylscb.org/learning-from-reviews" in home
    other = plain_text(engine.answer("where on the lrscp website are their reviews"))
    assert "https://www.lrsb.org.uk" in other and "learning-from-reviews" not in other


ABOUT_PAGE = "https://lcitylscb.org/about-the-lscp"
UHL_PAGE = "https://www.leicestershospitals.nhs.uk/patients/patient-welfare/safeguarding/safeguarding-children-and-young-people/"
REPOSITORY = "https://learning.nspcc.org.uk/case-reviews/national-case-review-repository"


def test_about_the_partnership_offers_its_own_pages(engine: Engine) -> None:
    reply = engine.answer("who are the lscpb")
    assert reply.intent == "about"
    assert ABOUT_PAGE in reply.links and SEED_PAGE in reply.links
    county = engine.answer("who are the lrscp")
    assert county.entries == ("lrscp",) and ABOUT_PAGE not in county.links  # pages are the publisher's own


@pytest.mark.parametrize(
    ("question", "url"),
    [
        ("link to the about page", ABOUT_PAGE),
        ("UHL safeguarding page", UHL_PAGE),
        ("where is the University Hospitals of Leicester safeguarding page", UHL_PAGE),
    ],
)
def test_pages_once_held_only_as_citations_are_offered(engine: Engine, question: str, url: str) -> None:
    reply = engine.answer(question)
    assert reply.kind == ReplyKind.ANSWER and reply.intent == "where_to_read"
    assert url in reply.links


@pytest.mark.parametrize(
    "question", ["NSPCC resources", "nspcc learning resources", "what resources does the nspcc have", "NSPCC learning"]
)
def test_nspcc_resources_are_its_learning_not_the_glossary(engine: Engine, question: str) -> None:
    reply = engine.answer(question)
    assert reply.intent == "themes", reply.intent
    assert REPOSITORY in reply.links
    assert "https://learning.nspcc.org.uk/research-resources/learning-from-case-reviews/neglect" in reply.links


def test_what_the_nspcc_is_stays_a_glossary_answer(engine: Engine) -> None:
    reply = engine.answer("what does NSPCC stand for")
    assert (reply.intent, reply.entries) == ("glossary", ("nspcc",))
    assert "National Case Review Repository" in plain_text(reply)


def test_urgent_reply_states_only_sourced_hours(engine: Engine) -> None:
    body = plain_text(engine.answer("a child is in danger"))
    assert "unless stated" not in body  # no blanket claim: each line carries its own source's hours
    assert "0116 454 1004 (24 hours)" in body and "01572 758 407 (Office hours" in body
    assert "101 (" not in body  # no source gives the hours of 101


def test_what_the_bot_does_names_the_home_partnership_s_area_from_the_knowledge(tmp_path: Path) -> None:
    directory = copy_knowledge(tmp_path)
    edit(directory / "partnerships.yaml", "    area: Leicester (the city)\n", "    area: Exampletown (the city)\n")
    reply = Engine(load_knowledge(directory)).answer("hello")
    assert "questions about Exampletown's published" in plain_text(reply)


def test_a_framework_is_shown_with_the_guidance_it_is_informed_by(tmp_path: Path) -> None:
    question = "what is the llr framework"
    before = Engine(load_knowledge(FIXTURE_KNOWLEDGE)).answer(question)
    assert before.entries == ("llr-framework",)
    kb = copy_knowledge(tmp_path, "informed")
    edit(
        kb / "resources.yaml",
        "      From Reviews page describes it.\n",
        "      From Reviews page describes it.\n    informed_by: [working-together-2023]\n",
    )
    after = Engine(load_knowledge(kb)).answer(question)
    assert after.entries == ("llr-framework", "working-together-2023")


def test_a_term_is_shown_with_the_terms_that_replaced_it(tmp_path: Path) -> None:
    question = "what is an scr"
    assert Engine(load_knowledge(FIXTURE_KNOWLEDGE)).answer(question).entries == ("scr",)
    kb = copy_knowledge(tmp_path, "replaced")
    scr = "    aliases: [SCR, serious case review, serious case reviews]\n"
    edit(kb / "glossary.yaml", scr, scr + "    replaced_by: [cspr]\n")
    assert Engine(load_knowledge(kb)).answer(question).entries == ("scr", "cspr")
