"""What the matcher understands from hurried, misspelt questions, and where it must refuse."""

from __future__ import annotations

import pytest
from kb_builders import FIXTURE_KNOWLEDGE

from bot.kb.loader import load_knowledge
from bot.kb.models import ReplyKind
from bot.nlu.matcher import THRESHOLD, Match, Matcher, Ref
from bot.service.engine import Engine


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Engine(load_knowledge(FIXTURE_KNOWLEDGE)).snapshot().matcher


def refs(match: Match) -> set[str]:
    return {r.id for r in match.refs}


@pytest.mark.parametrize(
    ("question", "review"),
    [
        ("chlid e", "child-e"),
        ("patrica", "patricia"),
        ("Child C & D", "child-c-d"),
        ("child c and d", "child-c-d"),
        ("the baby serious case review", "baby-scr"),
        ("CHILD E!!!", "child-e"),
    ],
)
def test_review_names_survive_typos_case_and_punctuation(matcher: Matcher, question: str, review: str) -> None:
    match = matcher.match(question)
    assert match.kind == ReplyKind.ANSWER
    assert match.intent == "review"
    assert refs(match) == {review}
    assert match.confidence >= THRESHOLD


def test_a_letter_is_not_a_typo_child_f_is_not_child_e(matcher: Matcher) -> None:
    match = matcher.match("child f review")
    assert match.kind == ReplyKind.FALLBACK
    assert match.unknown_review


def test_spelling_correction_is_bounded(matcher: Matcher) -> None:
    tokens, corrected = matcher.tokens("negelct reveiws polish")
    assert tokens[:2] == ("neglect", "review")
    assert tokens[2] == "polish"  # two edits from 'police' at six letters: left alone
    assert corrected == frozenset({0, 1})


def test_urgent_concern_wins_even_when_a_review_is_named(matcher: Matcher) -> None:
    match = matcher.match("i think a child is being neglected like in the patricia case")
    assert match.kind == ReplyKind.URGENT


def test_intent_and_entry_combine(matcher: Matcher) -> None:
    match = matcher.match("where can i read the patricia briefing")
    assert (match.intent, refs(match)) == ("where_to_read", {"patricia"})
    match = matcher.match("what did the chair say about child c and d")
    assert (match.intent, refs(match)) == ("statement", {"child-c-d"})


def test_two_reviews_in_one_question_are_both_answered(matcher: Matcher) -> None:
    match = matcher.match("child e and patricia")
    assert refs(match) == {"child-e", "patricia"}


def test_a_vague_reference_asks_which_review(matcher: Matcher) -> None:
    match = matcher.match("child")
    assert match.kind == ReplyKind.CLARIFY
    assert {r.id for r in match.choices} == {"child-e", "child-c-d"}
    assert len(match.choices) <= 3


@pytest.mark.parametrize(
    "question",
    ["weather tomorrow", "tell me a joke", "latest football scores", "", "   ", "🙂🙂🙂", "<b>hi</b> &amp;"],
)
def test_out_of_scope_never_gets_a_confident_answer(matcher: Matcher, question: str) -> None:
    match = matcher.match(question)
    assert match.kind in {ReplyKind.FALLBACK, ReplyKind.CHAT, ReplyKind.CLARIFY}


def test_names_in_any_word_order_are_found(matcher: Matcher) -> None:
    match = matcher.match("framework for llr")
    assert Ref("resource", "llr-framework") in match.refs


def test_the_only_review_of_a_type_is_found_by_the_type(matcher: Matcher) -> None:
    match = matcher.match("what did the partnership board say about the scr")
    assert (match.intent, refs(match)) == ("statement", {"baby-scr"})


SISTER_REVIEWS = """
partnerships:
  - id: elsewhere
    name: Elsewhere Safeguarding Children Partnership
    short_name: ESCP
    aliases: [Elsewhere]
    area: Elsewhere
    website: https://elsewhere.example.org
    about: A test partnership.
    sources: [https://elsewhere.example.org]
    checked: 2026-11-25
reviews:
  - id: elsewhere-child-e
    name: Child E
    partnership: elsewhere
    review_type: lcspr
    summary: Another partnership's Child E, for name-collision tests.
    documents:
      - id: elsewhere-child-e-report
        type: report
        title: Elsewhere Child E report
        status: published
        published_on: 2025-01-01
        url: https://elsewhere.example.org/child-e
        summary: Test report.
        sources: [https://elsewhere.example.org]
        checked: 2026-11-25
    sources: [https://elsewhere.example.org]
    checked: 2026-11-25
"""


@pytest.fixture(scope="module")
def collided(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    import shutil

    directory = tmp_path_factory.mktemp("kb") / "knowledge"
    shutil.copytree(FIXTURE_KNOWLEDGE, directory)
    (directory / "elsewhere.yaml").write_text(SISTER_REVIEWS, encoding="utf-8")
    return Engine(load_knowledge(directory))


def test_a_shared_name_prefers_the_home_review_and_offers_the_other(collided: Engine) -> None:
    reply = collided.answer("child e")
    assert reply.entries == ("child-e",)
    assert reply.suggestions == ("Child E (ESCP)",)
    assert any(b.action == "review:elsewhere-child-e" for b in reply.buttons)


def test_naming_the_partnership_picks_its_review(collided: Engine) -> None:
    reply = collided.answer("elsewhere child e")
    assert reply.intent == "review"
    assert reply.entries == ("elsewhere-child-e",)


def test_without_a_home_review_the_bot_asks(collided: Engine) -> None:
    matcher = Matcher(collided.view(), home_partnership="nobody")
    match = matcher.match("child e")
    assert match.kind == ReplyKind.CLARIFY
    assert {r.id for r in match.choices} == {"child-e", "elsewhere-child-e"}


def test_choices_between_same_names_carry_the_partnership(collided: Engine) -> None:
    from bot.answers.composers import Composer

    view = collided.view()
    reply = Composer(view).compose(Matcher(view, home_partnership="nobody").match("child e"))
    assert set(reply.suggestions) == {"Child E (LSCPB)", "Child E (ESCP)"}


@pytest.mark.parametrize(
    "question", ["Summary of the Arthur Labinjo-Hughes national review?", "Star Hobson review findings"]
)
def test_another_areas_named_case_falls_back_with_the_repository(matcher: Matcher, question: str) -> None:
    match = matcher.match(question)
    assert match.kind == ReplyKind.FALLBACK
    assert match.unknown_review


def test_a_practitioner_introducing_themselves_is_not_a_named_case(matcher: Matcher) -> None:
    match = matcher.match("Hi I'm Sarah Jones, a health visitor in the city. Any new reviews?")
    assert (match.kind, match.intent) == (ReplyKind.ANSWER, "latest_reviews")


@pytest.mark.parametrize(
    "question",
    [
        "a girl at my youth club says an older man is picking her up tonight and giving her drink",
        "teenager at the hostel says her boyfriend is making her sleep with his mates",
        "boy came into school with a black eye and says he cant go home",
        "9 month old in resus with unexplained fractures, who do i ring at 3am",
    ],
)
def test_a_child_at_risk_now_is_urgent_however_it_is_put(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).kind == ReplyKind.URGENT


def test_a_lower_case_name_right_before_review_words_is_another_areas_case(matcher: Matcher) -> None:
    assert matcher.match("daniel pelka serious case review").unknown_review
    assert matcher.match("my manager wants the latest review").intent == "latest_reviews"


@pytest.mark.parametrize(
    ("question", "review"),
    [("what was published on 17th july 2024", "child-c-d"), ("the one from 10/07/24 - what was that", "patricia")],
)
def test_a_publication_date_names_the_review_published_that_day(matcher: Matcher, question: str, review: str) -> None:
    match = matcher.match(question)
    assert (match.kind, match.intent, refs(match)) == (ReplyKind.ANSWER, "review", {review})


def test_a_month_lists_that_months_publications_or_asks_which_one(matcher: Matcher) -> None:
    listed = matcher.match("what did the partnership publish in july 2024")
    assert (listed.intent, listed.period) == ("latest_reviews", (2024, 7))
    one = matcher.match("the lscpr published in july - what was learnt?")
    assert one.kind == ReplyKind.CLARIFY and {r.id for r in one.choices} == {"child-e", "child-c-d", "patricia"}
    assert matcher.match("any reviews published since 2024?").period is None


def test_the_child_of_a_review_name_is_not_a_child_at_risk(matcher: Matcher) -> None:
    match = matcher.match("HV here, someone mentioned child e in supervision today, what was that one")
    assert (match.kind, refs(match)) == (ReplyKind.ANSWER, {"child-e"})


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("anything about kids being groomed online in case reviews? doing an e-safety assembly", ReplyKind.ANSWER),
        (
            "was reading the patricia briefing and a girl in my class keeps coming in with marks on her arms",
            ReplyKind.URGENT,
        ),
        ("one of the lads at football training disclosed something to me, what do i do", ReplyKind.URGENT),
        ("toddler left on his own in a car outside the nursery", ReplyKind.URGENT),
    ],
)
def test_learning_about_children_in_general_is_not_a_child_at_risk_now(
    matcher: Matcher, question: str, kind: ReplyKind
) -> None:
    assert matcher.match(question).kind == kind


@pytest.mark.parametrize(
    "question", ["nottingham city cspr 2023", "Northamptonshire CSPR Child A - what were the recommendations"]
)
def test_another_areas_reviews_fall_back(matcher: Matcher, question: str) -> None:
    match = matcher.match(question)
    assert match.kind == ReplyKind.FALLBACK and match.unknown_review


def test_one_document_meant_but_not_named_asks_which(matcher: Matcher) -> None:
    assert matcher.match("send me the briefing").kind == ReplyKind.CLARIFY
    assert matcher.match("what did the chair say in the foreword").kind == ReplyKind.CLARIFY
    every = matcher.match("any statements from the chair?")  # plural: all of them
    assert (every.kind, every.intent) == (ReplyKind.ANSWER, "statement")
    older = matcher.match("where are the older leicester SCRs? the pre 2019 ones")  # plural: not the one SCR
    assert "baby-scr" not in refs(older)


def test_who_is_asking_does_not_decide_what_is_asked(matcher: Matcher) -> None:
    match = matcher.match("teacher here. whats the learning from patricia in a nutshell")
    assert (match.intent, refs(match)) == ("review", {"patricia"})


@pytest.mark.parametrize(
    ("question", "kind", "intent"),
    [
        (
            "who do i ring if im ever worried about one of the kids at the club? not an emergency",
            ReplyKind.ANSWER,
            "contacts",
        ),
        (
            "who decides if there's going to be a local review when a child is seriously hurt",
            ReplyKind.ANSWER,
            "how_reviews_work",
        ),
        ("paeds reg, 2yo in ED tonight with a spiral fracture, story doesn't fit", ReplyKind.URGENT, "urgent"),
        ("dad's come to collect smelling strongly of alcohol, little one is crying", ReplyKind.URGENT, "urgent"),
        ("hello, first time using this", ReplyKind.CHAT, "greeting"),
        ("whats the pay scale for a newly qualified teacher", ReplyKind.FALLBACK, None),
    ],
)
def test_urgency_follows_what_is_described_not_single_words(
    matcher: Matcher, question: str, kind: ReplyKind, intent: str | None
) -> None:
    match = matcher.match(question)
    assert (match.kind, match.intent) == (kind, intent)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        (
            "whats the real name of the kiddie in the patricia review? I think I might know the family",
            ReplyKind.FALLBACK,
        ),  # reviews are anonymised: never help to identify a child
        ("the review called patricia is that the childs real name", ReplyKind.ANSWER),
        ("nottingham city scr baby 2022", ReplyKind.FALLBACK),  # another area's baby review, not ours
        ("Child A leicestershire lcspr", ReplyKind.FALLBACK),
        ("when was the briefing published?", ReplyKind.CLARIFY),
        ("what did the chair say in her statement", ReplyKind.CLARIFY),
        (
            "leicestershire first response number for a consultation no immediate risk just want advice",
            ReplyKind.ANSWER,
        ),
        (
            "Hi all, as discussed in supervision please read the latest LCSPR briefing. where do i get the child E one",
            ReplyKind.ANSWER,
        ),  # 'discussed' is a word of its own, not a typo of 'disclosed'
    ],
)
def test_privacy_other_areas_and_one_unnamed_document(matcher: Matcher, question: str, kind: ReplyKind) -> None:
    assert matcher.match(question).kind == kind


def test_review_names_survive_two_slips_but_common_words_do_not_become_names(matcher: Matcher) -> None:
    assert refs(matcher.match("patrisha LSCPR when was it published")) == {"patricia"}
    assert matcher.match("child see and dee report when was it out").refs == (Ref("review", "child-c-d"),)


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("baby at clinic has bruises and mum is leaving now what do i do", "urgent"),  # 'leaving' is no typo
        ("what order did the july 2024 reviews come out in?", "latest_reviews"),  # nor is 'order'
        ("disguise compliance briefing", "theme"),  # only the ending slipped
        ("chid e", "review"),  # a word before a letter: a review's name
        ("I want to read reviews from Birmingham and Manchester as well, where do I look?", "national_repository"),
        ("mum has just said she'll kill herself and the kids tonight", "urgent"),
        ("15 yo girl just messaged me saying she's being taken abroad to get married next week", "urgent"),
    ],
)
def test_real_words_stay_as_typed_and_harm_is_heard(matcher: Matcher, question: str, intent: str) -> None:
    assert matcher.match(question).intent == intent


@pytest.mark.parametrize(
    "question",
    [
        "Our family support worker visited a house this afternoon and found a two-year-old on his own. Mum still"
        " hasn't come back. What do we do?",
        "nursery pick up - dad clearly under the influence and insisting on taking his daughter, what now",
        "a young person i work with just messaged saying they want to end it all tonight",
        "At a DA job now, 2 kids in the house, dad arrested, mum in no state - whos the city out of hours number",
    ],
)
def test_a_child_at_risk_now_told_in_everyday_words_is_urgent(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).kind == ReplyKind.URGENT


@pytest.mark.parametrize(
    "question",
    [
        "where can i park near city hall",
        "Could you draft an email to a parent explaining why we made a referral about her son?",
        "how many days annual leave does a band 6 health visitor get",
        "What were the findings of the national review into the death of Arthur Labinjo-Hughes?",
    ],
)
def test_questions_the_bot_cannot_answer_are_not_answered(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).kind == ReplyKind.FALLBACK


def test_reviews_of_a_month_are_all_linked(matcher: Matcher) -> None:
    match = matcher.match("where can I read the Leicester reviews that were published in July 2024?")
    assert (match.intent, refs(match)) == ("where_to_read", {"child-e", "child-c-d", "patricia"})


@pytest.mark.parametrize(
    "question",
    [
        "one of our food bank volunteers says a 12 yr old has been sleeping in the shed behind the church",
        "neighbours little boy has been outside in the cold in his pyjamas for an hour, nobody answering the door",
        "reading the Patricia briefing made me think of a family - dad is back in the house tonight despite bail"
        " conditions and the kids are there",
        "football coach - one of my under 11s has what look like cigarette burns on his arm, found them just now",
        "GP - 4 month old brought in with a fractured arm and no explanation, what do I do",
    ],
)
def test_more_children_at_risk_now_are_heard(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).kind == ReplyKind.URGENT


def test_a_named_theme_is_answered_not_the_list_of_themes(matcher: Matcher) -> None:
    match = matcher.match("neglect themes from reviews")
    assert (match.intent, refs(match)) == ("theme", {"neglect"})
    assert matcher.match("what kind of issues keep coming up in case reviews?").intent == "themes"


def test_a_child_alone_with_a_parent_who_will_not_wake_is_urgent(matcher: Matcher) -> None:
    question = (
        "a little girl about 9 has come into the foodbank on her own saying she hasnt eaten for 2 days and"
        " her mum is asleep and wont wake up"
    )
    assert matcher.match(question).kind == ReplyKind.URGENT


@pytest.mark.parametrize(
    "question",
    [
        "is there a review about a child called Jayden",
        "can u draft an email to a parent telling them we're making a referral about their son",
    ],
)
def test_unknown_children_and_drafting_requests_fall_back(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).kind == ReplyKind.FALLBACK


def test_every_child_letter_name_survives_normalisation(matcher: Matcher) -> None:
    """Synonyms must never rewrite a review's letter: 'Child U' is not 'child you' (that made thousands of
    namesakes look alike at scale)."""
    for letter in "abcdefghijklmnopqrstuvwxyz":
        assert matcher.norm(f"Child {letter.upper()}") == ("child", letter)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        (
            "rutland school - boy says hes not allowed to eat at home as a punishment and has been made to sleep in"
            " the shed",
            ReplyKind.URGENT,
        ),
        ("what is this for? my manager told me to use it", ReplyKind.CHAT),  # 'told me' alone is no disclosure
        ("tell me about the rutland review about the boy called jack", ReplyKind.FALLBACK),
        ("my case recording system login isnt working who do i call", ReplyKind.FALLBACK),
        ("how do i complain about my social worker, she never returns my calls", ReplyKind.FALLBACK),
    ],
)
def test_latest_unseen_round(matcher: Matcher, question: str, kind: ReplyKind) -> None:
    assert matcher.match(question).kind == kind


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        (
            "Im a taxi driver, just dropped a young girl off at a house full of older men, something felt really wrong",
            ReplyKind.URGENT,
        ),
        ("The Rutland review about the boy in Oakham - what were the findings?", ReplyKind.FALLBACK),
        (
            "Can you tell me about the review into the child called Patricia? Is that her real name or a made up one?",
            ReplyKind.ANSWER,
        ),
        ("is leicestershire & rutland a separate partnership to the city one?", ReplyKind.ANSWER),
    ],
)
def test_final_unseen_round(matcher: Matcher, question: str, kind: ReplyKind) -> None:
    assert matcher.match(question).kind == kind


@pytest.mark.parametrize(
    "question", ["nottingham city childrens duty number", "was there a review about baby jayden in braunstone"]
)
def test_other_areas_duty_teams_and_other_babies_fall_back(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).kind == ReplyKind.FALLBACK


def test_a_year_before_the_first_local_review_points_to_the_archive(matcher: Matcher) -> None:
    assert matcher.match("any reviews published in 2016?").intent == "archive"
    assert matcher.match("any reviews published in 2024?").intent == "latest_reviews"


@pytest.mark.parametrize(
    "question",
    [
        "baby brought in floppy, parents evasive, ?NAI, who to contact immediately",
        "There's a 4 year old at our nursery who hasn't been collected, it's 6.30pm and we can't get hold of anyone",
        "15 yr old showed me msgs from an adult sending pics and pressuring her to meet today",
    ],
)
def test_a_child_at_risk_now_described_in_practice_words_is_urgent(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).kind == ReplyKind.URGENT


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        # a theme's name in a learning question is a name, not a harm: 'online harm' is no child being harmed
        ("my foster daughter is always on her phone, is there anything from reviews about online harm", "theme"),
        # a question about the process wins over 'now' and 'think': 'a child ... is now part of a review'
        (
            "are case reviews about blaming staff? my team think they'll be in trouble as a child from our nursery is"
            " now part of a review",
            "how_reviews_work",
        ),
        # 'children's social care' names a service, not a child: 'who do I ring' about it is no emergency
        ("who do i ring for advice in leicester city childrens social care", "contacts"),
    ],
)
def test_learning_and_service_questions_are_not_urgent(matcher: Matcher, question: str, intent: str) -> None:
    match = matcher.match(question)
    assert (match.kind, match.intent) == (ReplyKind.ANSWER, intent)


def test_a_question_about_the_law_is_not_a_child_at_risk_unless_one_child_is_pointed_at(matcher: Matcher) -> None:
    assert matcher.match("is it legal to smack a child in england").kind == ReplyKind.FALLBACK
    assert matcher.match("my neighbour smacks her son really hard, is it legal?").kind == ReplyKind.URGENT


@pytest.mark.parametrize(
    "question",
    [
        "can you write up my statement for the s47 strategy meeting",
        "how many hrs of level 3 safeguarding training do GPs need",
        "derbyshire multi agency referral form",
        "whats the best way to deal with a member of staff who's always late",
        "whats the ofsted grade for leicester childrens services",
        "how do I apply for a job in leicester city council childrens services",
    ],
)
def test_work_the_bot_does_not_do_falls_back(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).kind == ReplyKind.FALLBACK


def test_a_swapped_pair_of_letters_in_an_acronym_is_corrected(matcher: Matcher) -> None:
    match = matcher.match("what is a CPSR")
    assert (match.intent, refs(match)) == ("glossary", {"cspr"})
    assert matcher.match("what is a form").intent != "glossary"  # a real word is never swapped ('form', 'from')


def test_a_named_role_is_not_a_childs_name(matcher: Matcher) -> None:
    assert matcher.match("whats this bot for? our named GP sent me the link").intent == "help"
    assert matcher.match("was there a review about a child named Kayleigh").kind == ReplyKind.FALLBACK


def test_a_folded_plural_is_not_taken_for_a_first_name(matcher: Matcher) -> None:
    match = matcher.match("the Child C and D review: relevant to two young kids, lots of agencies involved?")
    assert refs(match) == {"child-c-d"}


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("why wasn't the full report on the baby's death ever published?", "review"),
        ("LSCPB website link for the reviews", "where_to_read"),
        ("which website has the leicester reviews on it", "where_to_read"),
        ("whats come out recently across the country, not just leicester", "national_repository"),
        ("is there 1 place with all the published case reviews", "national_repository"),
        ("link to older lscpb case reviews", "archive"),
        ("Can I still get hold of reviews that aren't on the main page anymore?", "archive"),
    ],
)
def test_what_is_asked_about_where_reviews_are(matcher: Matcher, question: str, intent: str) -> None:
    assert matcher.match(question).intent == intent


@pytest.mark.parametrize(
    "question",
    [
        "SW cant gain access, baby on CP plan not seen 2 wks, curtains shut, what do i do",
        "probation: my RSO has moved in with a woman who has two small kids, i need to report it",
        "mum in clinic is acutely psychotic and says her newborn is at home on its own",
        "one of the kids at madrassa said the teacher beat him with a stick",
        "Sorry my english. Small child in my building cry all day and nobody open the door, what I do?",
        "DV incident kids in house rn",
    ],
)
def test_second_round_of_practice_words_for_a_child_at_risk_now(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).kind == ReplyKind.URGENT


def test_asap_about_a_summary_is_no_emergency(matcher: Matcher) -> None:
    match = matcher.match("team mtg in 10 mins, need 2 line summary of child c & d asap, who published it and when")
    assert (match.kind, refs(match)) == (ReplyKind.ANSWER, {"child-c-d"})


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("reviews out this yr?", "latest_reviews"),  # 'yr' is 'your' only when it is not 'this yr'
        ("lscpb reviews 2024", "latest_reviews"),
        ("how do i access the local reviews, is there a webpage", "where_to_read"),
        ("annual leave policy NHS", "fallback"),
        ("draft a CP plan for neglect with SMART outcomes", "fallback"),
        ("salaam, hi", "greeting"),
    ],
)
def test_terse_and_everyday_wording(matcher: Matcher, question: str, intent: str) -> None:
    match = matcher.match(question)
    assert ("fallback" if match.kind == ReplyKind.FALLBACK else match.intent) == intent


@pytest.mark.parametrize(
    "question",
    [
        "YP missing since 4pm, been seen getting in cars with older lads before, what do i do now",
        "found messages on a resident's tablet from a man telling him to meet at the bus station tonight",
        "young person has cut himself badly and wont let us look, theres a lot of blood",
        "theres a man outside our school gates taking photos of the pupils right now",
        "think one of our lads is being used for county lines, hes got a burner phone and is going out tonight",
    ],
)
def test_third_round_of_practice_words_for_a_child_at_risk_now(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).kind == ReplyKind.URGENT


def test_a_review_of_a_partnership_we_hold_none_for_is_not_ours_even_if_its_words_fit_ours(matcher: Matcher) -> None:
    about_baby_jack = matcher.match("the leicestershire and rutland review about baby jack, whats in it")
    assert about_baby_jack.kind == ReplyKind.FALLBACK
    assert refs(matcher.match("child e - is that a leicestershire and rutland review?")) == {"child-e"}


def test_a_word_with_a_digit_is_no_part_of_a_name(matcher: Matcher) -> None:
    match = matcher.match("what are reviews telling us about neglect? building a 7 min briefing")
    assert (match.intent, refs(match)) == ("theme", {"neglect"})


def test_the_learning_from_the_lcspr_asks_which_review_but_what_is_an_lcspr_defines(matcher: Matcher) -> None:
    assert matcher.match("whats the learning from the lcspr").kind == ReplyKind.CLARIFY
    assert matcher.match("what is an lcspr").intent == "glossary"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("book me onto the next LSCPB multi-agency training course", "fallback"),
        ("can u write my MG11 for the DA job", "fallback"),
        ("when did SCRs become CSPRs and why did they change it", "how_reviews_work"),
        ("LSCB - what was that? need it for my glossary slide", "glossary"),
    ],
)
def test_third_round_wording(matcher: Matcher, question: str, intent: str) -> None:
    match = matcher.match(question)
    assert ("fallback" if match.kind == ReplyKind.FALLBACK else match.intent) == intent


@pytest.mark.parametrize(
    "question",
    [
        # no rule lists these words together; one child pointed at, something wrong told, nothing asked
        "grandma here, my grandson (7) says his mums boyfriend locks him in the bathroom in the dark. plese help",
        "my ex has my 2 kids and just texted saying ill never see them again. hes been drinking",
        "hiya im a TA, one of my reception kids said daddy put his hands round mummys neck and she went to sleep",
        "on nights at a care home and one of the carers leaves her 3yo asleep in her car in the car park all shift",
    ],
)
def test_a_story_about_one_child_that_asks_for_nothing_we_hold_is_treated_as_a_concern(
    matcher: Matcher, question: str
) -> None:
    assert matcher.match(question).kind == ReplyKind.URGENT


@pytest.mark.parametrize(
    "question",
    [
        "tell me about the child F review",  # a review's name, not a child
        "can you send me the LLR child protection procedures manual online",
        "is patricia the girls real name or made up?",
        "we foster a deaf child - any lessons from reviews about deaf kids and safeguarding?",
        "calpol dose for a 4 year old",
        "party ideas for my sons 6th birthday in loughborough",
        "what age can a child legally be left home alone in england",
        "what should school staff do when a child discloses abuse - is there a local procedure I can read",
    ],
)
def test_children_mentioned_without_a_concern_now_are_not_urgent(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).kind != ReplyKind.URGENT


def test_a_lower_case_full_name_after_a_review_about_is_someone_else(matcher: Matcher) -> None:
    assert matcher.match("is there a review about arthur labinjo-hughes").kind == ReplyKind.FALLBACK
    assert matcher.match("is there a review about neglect and drink").intent == "theme"


def test_the_dated_lcspr_about_asks_which_of_that_years_reviews(matcher: Matcher) -> None:
    match = matcher.match("the 2024 LCSPR - what was it about")
    assert match.kind == ReplyKind.CLARIFY
    assert {ref.id for ref in match.choices} <= {"child-e", "child-c-d", "patricia"}


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("a 15 year old hasnt been home since friday, mum just rang school", ReplyKind.URGENT),
        ("i need to report something about a child i visited this morning", ReplyKind.URGENT),
        # another area's 'Child H' is a name, not a child someone thinks about
        (
            "Does the Child H review from Northamptonshire have anything on home education? Our EHE officer thinks"
            " it's relevant to a family who've just moved into the county.",
            ReplyKind.FALLBACK,
        ),
        # identifying a child is refused even when the asker thinks they know the family
        (
            "whats the real name of the kiddie in the patricia review? I think I might know the family",
            ReplyKind.FALLBACK,
        ),
        (
            "Updating our emergency contacts sheet: what's the out of hours number for Rutland children's social care?",
            ReplyKind.ANSWER,
        ),
        (
            "Our school's online safety lead is off sick and I've been asked to cover the staff session tomorrow. Is"
            " there case review learning about online abuse I could use?",
            ReplyKind.ANSWER,
        ),
    ],
)
def test_fourth_round(matcher: Matcher, question: str, kind: ReplyKind) -> None:
    assert matcher.match(question).kind == kind


def test_is_that_her_real_name_asks_about_the_review_not_for_an_identity(matcher: Matcher) -> None:
    match = matcher.match("Leicester published a review about a child called Patricia. Is that her real name?")
    assert refs(match) == {"patricia"}


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("one of our nursery children says he hasnt had food since friday and he looks so thin", ReplyKind.URGENT),
        ("what is the process when a child dies or is seriously harmed and abuse is suspected", ReplyKind.ANSWER),
        ("any free swimming lessons for under 5s in rutland", ReplyKind.FALLBACK),
        ("can you write my EYFS observation for a child in my key group", ReplyKind.FALLBACK),
    ],
)
def test_fifth_round(matcher: Matcher, question: str, kind: ReplyKind) -> None:
    assert matcher.match(question).kind == kind


def test_what_the_chair_said_asks_which_review_but_the_statements_are_listed(matcher: Matcher) -> None:
    asked = matcher.match("what did the chair say")
    assert asked.kind == ReplyKind.CLARIFY
    assert {ref.id for ref in asked.choices} == {"child-c-d", "patricia", "baby-scr"}
    assert matcher.match("amanda boodhoo statement").intent == "statement"
    assert refs(matcher.match("what did the chair say about the baby")) == {"baby-scr"}


@pytest.mark.parametrize(
    ("question", "kind", "intent"),
    [
        # 'one of my young people' points at one child
        ("worried about one of my young people, think something is going on at home", ReplyKind.URGENT, "urgent"),
        # 'for adults worried about a child' says who a helpline is for, not that someone is worried now
        (
            "What's the NSPCC helpline number for adults worried about a child? It's for our website.",
            ReplyKind.ANSWER,
            "contacts",
        ),
        # 'can you tell me about…' is no child telling anything
        (
            "can you tell me about the review where the child is called Patricia? is that her real name or made up?",
            ReplyKind.ANSWER,
            "review",
        ),
        # any child, as the process speaks of them
        (
            "what happens after a child is seriously hurt, who has to be told and how quickly",
            ReplyKind.ANSWER,
            "how_reviews_work",
        ),
        ("my son was seriously hurt after a child hit him, what happens now", ReplyKind.URGENT, "urgent"),
        # whether a report was or will be made public asks about the review
        ("was the full scr on the baby ever made public", ReplyKind.ANSWER, "review"),
        # two asks about one review: the surer one leads (the review's answer says where to read it too)
        (
            "Is the full report of the baby SCR going to be made public, and where would I find it?",
            ReplyKind.ANSWER,
            "review",
        ),
        ("write my MG11 for the DV job", ReplyKind.FALLBACK, None),
        (
            "what reviews have come out lately, the ICB named nurse asked us to circulate",
            ReplyKind.ANSWER,
            "latest_reviews",
        ),
        ("lcspr vs lscpr whats the diff", ReplyKind.ANSWER, "glossary"),
        ("is wt2018 still current or is there a newer one", ReplyKind.ANSWER, "framework"),
    ],
)
def test_sixth_round(matcher: Matcher, question: str, kind: ReplyKind, intent: str | None) -> None:
    match = matcher.match(question)
    assert (match.kind, match.intent) == (kind, intent)


@pytest.mark.parametrize(
    "question", ["which themes are there, eg neglect, DA etc", "what subjects do you cover, like neglect, DA"]
)
def test_themes_named_as_examples_ask_for_the_list(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).intent == "themes"
    assert matcher.match("anything on neglect and DA").intent == "theme"


def test_the_city_and_the_county_name_both_partnerships_for_contacts_and_about(matcher: Matcher) -> None:
    both = {"lscpb", "lrscp"}
    assert both <= refs(matcher.match("duty numbers for the city, the county and Rutland please"))
    assert both <= refs(matcher.match("whats the difference between the city and county safeguarding partnerships"))
    assert matcher.match("leicester city score last night").kind == ReplyKind.FALLBACK


@pytest.mark.parametrize(
    ("question", "kind", "intent"),
    [
        # children in a situation now, no one child pointed at
        (
            "mum in the early help family has knife and threaten, children are in the house now",
            ReplyKind.URGENT,
            "urgent",
        ),
        # a child's age after the noun points at one child
        ("girl 14 in ED and pregnant, boyfriend is 24 and sitting in the waiting room", ReplyKind.URGENT, "urgent"),
        (
            "pre-birth concern - woman in labour now, father has history of serious violence and is on the delivery"
            " suite",
            ReplyKind.URGENT,
            "urgent",
        ),
        (
            "What is the number for the city Duty and Advice Service? "
            "No immediate concern, I only need a consultation.",
            ReplyKind.ANSWER,
            "contacts",
        ),
        (
            "exact wording of the board statement about the serious case review pls, dont want to misquote",
            ReplyKind.ANSWER,
            "statement",
        ),
        ("NSPCC what is the full name of it", ReplyKind.ANSWER, "glossary"),
        ("what is the full name of the child in the patricia review", ReplyKind.FALLBACK, None),
        ("What is the LADO threshold for allegations against staff?", ReplyKind.FALLBACK, None),
        ("write me a 10 question quiz for my neglect training", ReplyKind.FALLBACK, None),
        ("what subjects can you give me learning on - neglect, DA, anything else?", ReplyKind.ANSWER, "themes"),
        ("Assalamu alaikum, hello", ReplyKind.CHAT, "greeting"),
    ],
)
def test_seventh_round(matcher: Matcher, question: str, kind: ReplyKind, intent: str | None) -> None:
    match = matcher.match(question)
    assert (match.kind, match.intent) == (kind, intent)


@pytest.mark.parametrize(
    ("question", "kind", "intent"),
    [
        (
            "lad on my YOT caseload just rang me, says hes being kept in a flat and cant leave",
            ReplyKind.URGENT,
            "urgent",
        ),
        ("teen missing cse risk", ReplyKind.URGENT, "urgent"),
        # plural folding makes 'the same girls' look like one girl: 'missing girls' alone is no concern now
        ("CSE learning from reviews - we keep getting the same girls reported missing", ReplyKind.ANSWER, "theme"),
        (
            "a family I'm working with: kids not being fed, dad hiding when we visit. should I be reporting this now?",
            ReplyKind.URGENT,
            "urgent",
        ),
        ("pothole on my road who do i report it to", ReplyKind.FALLBACK, None),
        ("weather leics tmrw", ReplyKind.FALLBACK, None),
        ("who decides weather a review happens", ReplyKind.ANSWER, "how_reviews_work"),
        ("AssetPlus keeps crashing who do i contact", ReplyKind.FALLBACK, None),
        (
            "who do you contact to make a referral in leicestershire? general question for our new starters",
            ReplyKind.ANSWER,
            "contacts",
        ),
        # a rule's words become known words: 'won' must stay unknown, or 'who won…' looks like a question to us
        ("who won the rutland water triathlon", ReplyKind.FALLBACK, None),
        ("you do exploitation and neglect, what other topics have you got?", ReplyKind.ANSWER, "themes"),
        (
            "the most recent case reviews for Leicester for the inset day next week - what are the latest ones?",
            ReplyKind.ANSWER,
            "latest_reviews",
        ),
    ],
)
def test_eighth_round(matcher: Matcher, question: str, kind: ReplyKind, intent: str | None) -> None:
    match = matcher.match(question)
    assert (match.kind, match.intent) == (kind, intent)


@pytest.mark.parametrize(
    "question",
    [
        "I think our council tax band is wrong for our house in Wigston, who do I contact to get it reviewed?",
        "premier inn leicester city centre reviews",
        "my baby wont sleep through the night, any tips?",
        "ASYE pay scale Rutland?",
        "is it going to snow in rutland this weekend",
        "how much did the Child C & D review cost the partnership",
        "what was the name of the mum in the patricia case? writing a piece for a local paper",
        "check this multi agency referral form is filled in properly before i submit it, pasting below",
        "write a child friendly version of a CP plan for a 7 year old",
        "how do I donate to the NSPCC",
    ],
)
def test_out_of_scope_requests_with_the_domains_words_fall_back(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).kind == ReplyKind.FALLBACK


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("is rutland covered by the city partnership or the county one?", "about"),
        ("show me all the reviews you've got", "latest_reviews"),
        ("how many working days for the rapid review after a serious incident notification?", "how_reviews_work"),
        (
            "Is there a statement from the board about Child C and D? I need to quote it in a report to governors",
            "statement",
        ),
        ("looking for case reviews from other LAs for my dissertation lit review", "national_repository"),
    ],
)
def test_the_same_words_in_questions_we_answer_still_answer(matcher: Matcher, question: str, intent: str) -> None:
    assert matcher.match(question).intent == intent


def test_a_refusals_words_are_not_the_domains_vocabulary(matcher: Matcher) -> None:
    assert "weather" not in matcher.vocabulary and "forecast" not in matcher.vocabulary
    assert "neglect" in matcher.vocabulary


def test_refusal_words_do_not_swallow_a_report_of_a_child_at_risk(matcher: Matcher) -> None:
    """'freezing' once sat in the IT refusal ('screen freezing'): a cold house is a concern, not an IT fault."""
    question = (
        "how do I report suspected neglect of a boy I support? no food in the house and no heating and it's freezing"
    )
    assert matcher.match(question).kind == ReplyKind.URGENT
    learning = "neglect - what do the reviews tell us? lots of our families are struggling with the cost of living"
    assert matcher.match(learning).intent == "theme"
    assert (
        matcher.match(
            "What's the Leicestershire and Rutland Safeguarding Children Partnership? Our school is in Oakham"
        ).intent
        == "about"
    )


def test_a_concern_stated_more_surely_than_a_refusal_stays_urgent(matcher: Matcher) -> None:
    reported = "how do i report a concern about a child in rutland? it's a little one at our playgroup"
    assert matcher.match(reported).kind == ReplyKind.URGENT
    identity = "whats the real name of the kiddie in the patricia review? I think I might know the family"
    assert matcher.match(identity).kind == ReplyKind.FALLBACK
    it_fault = "the safeguarding alert isnt showing on SystmOne for one of my families, who do I contact in IT"
    assert matcher.match(it_fault).kind == ReplyKind.FALLBACK


@pytest.mark.parametrize(
    "question",
    [
        "young person on the bridge saying they're going to jump",
        "baby doesnt seem to be breathing properly and both parents seem out of it",
    ],
)
def test_closing_round_urgent_messages(matcher: Matcher, question: str) -> None:
    assert matcher.match(question).kind == ReplyKind.URGENT


def test_the_surer_of_two_questions_about_one_review_leads(matcher: Matcher) -> None:
    """'The full report … ever going to be made public?' asks about the review (92), though 'full report'
    (a where-to-read cue, 85) comes first."""
    assert matcher.match("is the full baby scr report ever going to be released").intent == "review"


def test_a_theme_read_in_a_story_of_grown_ups_only_that_asks_no_learning_is_not_ours(matcher: Matcher) -> None:
    match = matcher.match("my son is 30 and has mental health problems")
    assert match.kind == ReplyKind.FALLBACK and match.someone_elses
    asked = matcher.match("my son is 30 and hears voices, what have reviews found on parental mental health")
    assert (asked.kind, asked.intent) == (ReplyKind.ANSWER, "theme")


def test_a_story_said_to_have_no_children_gets_no_children_s_duty_team_nor_theme(matcher: Matcher) -> None:
    """'No children involved' tells of grown-ups only: our duty teams and themes are for children; the police's
    101 still answers, and asking for the learning still gets it."""
    for question in (
        "my dad's carer is taking his money, there are no children involved. who should i report it to",
        "a woman in her 40s with no children is suffering domestic abuse from her ex, what can she do",
    ):
        match = matcher.match(question)
        assert match.kind == ReplyKind.FALLBACK and match.someone_elses, question
    told = matcher.match("a woman in her 40s is suffering domestic abuse from her ex, what can she do")
    assert (told.kind, told.intent) == (ReplyKind.ANSWER, "theme")  # no word of grown-ups only: the theme
    police = matcher.match("police non emergency number? graffiti on the school wall, no kids involved")
    assert (police.kind, police.intent) == (ReplyKind.ANSWER, "contacts")
    learning = matcher.match("no children involved, but what is the learning from reviews on domestic abuse")
    assert (learning.kind, learning.intent) == (ReplyKind.ANSWER, "theme")


def test_with_no_children_said_the_message_is_not_urgent(matcher: Matcher) -> None:
    assert matcher.said_not_urgent("she has been hit by her partner, no children involved")
