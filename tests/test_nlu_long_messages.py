"""In a long message the question asked last decides what is answered; a worry anywhere still comes first."""

from __future__ import annotations

from nlu_helpers import the_matcher

from bot.kb.models import ReplyKind
from bot.nlu.matcher import LONG_MESSAGE_WORDS, Ref, last_question
from bot.nlu.sentences import asked_span, sentence_of, sentence_start

CONTEXT = (
    "Bit of background: I'm a GP safeguarding lead and last month one of our practice's patients was seriously "
    "hurt. The police are investigating and our team has been asked for a chronology by Friday, which we have "
    "started. Nobody has explained the process to us and my partners keep asking me at the practice meeting. "
)


def test_the_last_question_of_a_long_message_is_found() -> None:
    assert len(CONTEXT.split()) >= LONG_MESSAGE_WORDS
    assert last_question(CONTEXT + "Is it legal? What happens in a rapid review?") == "What happens in a rapid review?"


def test_a_short_message_or_one_without_a_question_has_none() -> None:
    assert last_question("what happens in a rapid review?") is None
    assert last_question(CONTEXT) is None


def test_the_question_asked_last_decides_over_the_context() -> None:
    match = the_matcher().match(CONTEXT + "What actually happens in a rapid review?")
    assert (match.kind, match.intent) == (ReplyKind.ANSWER, "how_reviews_work")


def test_a_worry_in_the_context_is_still_urgent() -> None:
    worry = "A baby in my care has a bruise and I am worried she is in danger now. "
    match = the_matcher().match(CONTEXT + worry + "What happens in a rapid review?")
    assert match.kind == ReplyKind.URGENT


def test_a_last_question_about_another_area_is_not_answered_with_ours() -> None:
    story = (
        "I'm a social worker in Leicester but I'm moving to a job in Nottingham in January. My new manager has asked "
        "me to read up on recent safeguarding practice reviews before I start, especially one about a baby that was "
        "published this year. I've had a look but can't find it easily. "
    )
    assert len(story.split()) >= LONG_MESSAGE_WORDS
    match = the_matcher().match(story + "Can you give me a summary of Nottingham's latest reviews?")
    assert match.kind == ReplyKind.FALLBACK and match.someone_elses


def test_a_last_sentence_that_asks_without_a_question_mark_is_the_question() -> None:
    assert last_question(CONTEXT + "Any learning on rapid reviews please") == "Any learning on rapid reviews please"
    assert last_question(CONTEXT + "Thanks for reading.") is None


def test_a_long_message_is_cut_into_sentences_for_safety() -> None:
    text = CONTEXT + "What happens in a rapid review?"
    matcher = the_matcher()
    starts = matcher.sentence_starts(text, len(matcher.tokens(text)[0]))
    assert len(starts) == 4 and starts[0] == 0 and list(starts) == sorted(starts)  # three of context, one asking
    assert matcher.sentence_starts("what happens in a rapid review?", 6) == ()


def test_another_area_in_the_story_leaves_a_question_about_ours_answerable() -> None:
    story = (
        "We have had two new starters transfer in from London this month. They know the London reviews inside "
        "out but nothing about ours, and I want to point them at the local picture before they start picking up "
        "jobs next week. "
    )
    question = "Which practice reviews has Leicester published recently?"
    assert len((story + question).split()) >= LONG_MESSAGE_WORDS
    assert the_matcher().match(story).kind == ReplyKind.FALLBACK  # the story alone is about London's
    ours = the_matcher().match(story + question)
    assert (ours.kind, ours.intent) == (ReplyKind.ANSWER, "latest_reviews")


def test_the_speaker_s_own_case_after_a_story_about_their_area_is_theirs() -> None:
    story = (
        "I'm the business manager at Lincolnshire Safeguarding Children Partnership and I'm updating our website "
        "after a restructure over the summer. Our old intranet has gone and the person who knew has left, so I "
        "am piecing it together from emails. "
    )
    theirs = the_matcher().match(story + "Can you remind me what date our Child E review was published?")
    assert theirs.kind == ReplyKind.FALLBACK


def test_a_message_refused_on_its_context_still_answers_its_last_question() -> None:
    story = (
        "I'm on a social work degree placement this term and my practice educator is very busy this month. "
        "Can you check my essay for me? It is due on Friday and I am worried about the referencing of it. "
    )
    question = "Which practice reviews has Leicester published recently?"
    assert len((story + question).split()) >= LONG_MESSAGE_WORDS
    assert the_matcher().match(story).kind == ReplyKind.FALLBACK  # the essay alone is refused
    match = the_matcher().match(story + question)
    assert (match.kind, match.intent) == (ReplyKind.ANSWER, "latest_reviews")


def test_the_sentence_a_long_message_asks_in_is_its_last_question() -> None:
    text = CONTEXT + "Did Leicester City win last night? I'll ask something proper after."
    matcher = the_matcher()
    length = len(matcher.tokens(text)[0])
    starts = matcher.sentence_starts(text, length)
    assert asked_span(text, starts, length) == (starts[-2], starts[-1])


def test_a_refusal_whose_words_do_not_meet_in_one_sentence_never_takes_the_answer() -> None:
    """'to do the minutes' in one sentence and 'can you…' in the next is no request to take the minutes: the
    decision weighs refusals as safety does, within one sentence."""
    told, asked = "My manager wants me to do the minutes for our team meeting. ", "Can you tell me what an SCR is?"
    assert the_matcher().match("Can you do the minutes for our team meeting?").refused
    match = the_matcher().match(told + asked)
    assert (match.kind, match.intent, match.refs) == (ReplyKind.ANSWER, "glossary", (Ref("term", "scr"),))


def test_a_last_question_said_to_be_unrelated_owes_nothing_to_the_story() -> None:
    story = (
        "I've been a social worker in the city for years and I've read every review the board has put out, the "
        "Child E review included. The learning has been useful and I've used it in supervision many times. "
    )
    question = "Anyway, totally unrelated, but what's the best way to get to the airport for a 6am flight?"
    assert len((story + question).split()) >= LONG_MESSAGE_WORDS
    assert the_matcher().match(story + question).kind == ReplyKind.FALLBACK
    ours = the_matcher().match(story + "Anyway, totally unrelated, but where can I read the Child E review?")
    assert (ours.kind, ours.intent) == (ReplyKind.ANSWER, "where_to_read")  # asked alone, still answered


def test_a_change_of_subject_leaves_the_story_behind_whatever_the_length() -> None:
    """'Read the Child E briefing. Totally unrelated: do you know about free childcare? Thanks.': what follows the
    change of subject is read alone, in a short message too, and the question needs no '?' of its own."""
    matcher = the_matcher()
    message = (
        "I read the Child E briefing, really useful. Totally unrelated: a family asks whether they qualify for "
        "free childcare. Do you know?"
    )
    assert len(message.split()) < LONG_MESSAGE_WORDS
    assert matcher.after_a_change_of_subject(message) == (
        "Totally unrelated: a family asks whether they qualify for free childcare. Do you know?"
    )
    assert matcher.match(message).kind == ReplyKind.FALLBACK
    assert matcher.after_a_change_of_subject("Totally unrelated: where can I read the Child E review?") is None


def test_which_sentence_holds_a_word_and_where_it_begins() -> None:
    starts = (0, 5, 9)
    assert [sentence_of(starts, p) for p in (0, 4, 5, 8, 9, 20)] == [0, 0, 1, 1, 2, 2]
    assert [sentence_start(starts, p) for p in (3, 7, 12)] == [0, 5, 9]
    assert (sentence_of((), 7), sentence_start((), 7)) == (0, 0)  # a message not cut into sentences
