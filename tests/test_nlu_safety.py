"""Safety, tested on its own: the one urgency decision and each of its rules, given the question's tokens, the
entries it names and the intent scores the rules give it."""

from __future__ import annotations

import pytest
from nlu_helpers import named, the_matcher, words

from bot.kb.models import ReplyKind
from bot.nlu.grown_ups import grown_people, no_child_named
from bot.nlu.normalise import Tokens
from bot.nlu.safety import ORDINARY_WORRY, Safety, SafetyDecision
from bot.nlu.sentences import asked_span
from bot.nlu.types import Hit


def safety() -> Safety:
    return the_matcher().safety


def read_long(story: str) -> tuple[Tokens, list[Hit], dict[str, float], tuple[int, ...], tuple[int, int] | None]:
    """What the pipeline hands safety for a long message: tokens, entries, scores, sentences, the asking one."""
    matcher = the_matcher()
    tokens, hits = named(story)
    scores, _ = matcher.intents.scores(tokens)
    starts = matcher.sentence_starts(story, len(tokens))
    return tokens, hits, scores, starts, asked_span(story, starts, len(tokens))


def decide(text: str) -> SafetyDecision:
    tokens, hits = named(text)
    scores, _ = the_matcher().intents.scores(tokens)
    return safety().decide(tokens, hits, scores)


def test_an_urgent_rule_is_urgent() -> None:
    decision = decide("i am worried about a child")
    assert decision.urgent and decision.reason == "an urgent rule matched" and decision.score == 100.0


def test_nothing_urgent_is_not_urgent() -> None:
    decision = decide("latest reviews")
    assert not decision.urgent and decision.reason == "no urgent rule matched"


def test_a_story_pointing_at_one_child_with_a_concern_word_is_urgent() -> None:
    decision = decide("my grandson (7) says his mum's boyfriend locks him in the bathroom")
    assert decision.urgent and decision.reason.startswith("tells of one child")


def test_a_review_s_name_is_no_child_at_risk() -> None:
    tokens, hits = named("child e briefing")
    assert safety().masked(tokens, hits) == ("", "", "")
    tokens, hits = named("a child called patricia")
    assert safety().masked(tokens, hits)[1:] == ("", "", "")


def test_urgent_words_inside_a_theme_asked_about_are_a_name() -> None:
    decision = decide("kids being groomed online - any learning from case reviews?")
    assert not decision.urgent and decision.reason.startswith("urgent words only inside a name")


def test_a_refusal_at_least_as_sure_wins_over_a_concern() -> None:
    decision = decide("what is the real name of the abused child")
    assert not decision.urgent and decision.refused and decision.reason.startswith("a refusal")


def test_a_refusal_does_not_silence_a_concern_about_one_child() -> None:
    decision = decide("she is being abused what is the real name of the child in child e")
    assert decision.urgent and decision.refused


def test_said_not_urgent_is_never_urgent() -> None:
    decision = decide("not urgent but i am worried about a child")
    assert not decision.urgent and decision.reason == "said not urgent" and decision.score == 85.0


def test_a_threat_to_life_told_now_is_urgent_whatever_the_writer_says() -> None:
    """'Not urgent' never silences 'she said she is going to finish it tonight'; without a word of now or of
    the last hours the phrase alone does not make it urgent."""
    now = decide("not urgent but a girl in my class said she is going to finish it tonight")
    assert now.urgent
    assert safety().life_at_risk_now(words("she has just taken an overdose"))
    assert not safety().life_at_risk_now(words("a review about a girl who took an overdose in 2019"))
    assert not safety().life_at_risk_now(words("she said she will finish it"))  # no word of now


def test_harm_to_one_child_told_of_the_last_hours_is_urgent_whatever_the_writer_says() -> None:
    """'Not urgent' never silences one child's harm told of last night; a scenario, or an older story, it does."""
    assert decide("not urgent but a 7 year old said his dad hit him last night").urgent
    assert not decide("not urgent but a 7 year old said his dad hit him last year").urgent
    assert not decide("not urgent, a training scenario: a 7 year old said his dad hit him last night").urgent


def test_a_doubt_beside_not_urgent_is_no_statement_of_safety() -> None:
    assert decide("not urgent but i am worried about a child").reason == "said not urgent"
    assert decide("not urgent i do not think, but i am worried about a child").urgent
    assert decide("not an emergency exactly, but i am worried about a child").urgent


def test_asking_what_one_of_our_reviews_found_is_learning() -> None:
    """'The baby review… it was about a baby with bruising': the review's child, asked about, is no child now."""
    decision = decide("the baby review, what did it find? i think it was about a baby with bruising")
    assert not decision.urgent
    assert decide("a baby with bruising, what did the baby review find? she is with me now").urgent


def test_asking_about_the_process_for_children_in_general_is_not_urgent() -> None:
    decision = decide("what happens after a child is seriously hurt")
    assert not decision.urgent and decision.reason.startswith("asks for learning")


def test_asking_what_the_law_says_is_learning() -> None:
    assert safety().asks_for_learning(words("is it legal to smack a child"), {}, [])
    assert not safety().asks_for_learning(words("is it legal she is smacked"), {}, [])


def test_one_child_now_is_not_a_learning_question() -> None:
    assert not safety().asks_for_learning(words("reading the briefing and dad is back tonight"), {}, [])


def test_pointing_at_one_child_or_children_in_general() -> None:
    assert safety().points_at_one_child(words("a girl in my class"))
    assert safety().points_at_one_child(words("girl 14"))
    assert safety().points_at_one_child(words("my 9 year old"))
    assert safety().points_at_one_child(words("11 week old just brought in"))
    assert not safety().points_at_one_child(words("on a 2 year course"))
    assert not safety().points_at_one_child(words("when a child dies"))
    assert safety().any_child(words("when a child dies"))


def test_children_now_is_a_situation_not_children_in_general() -> None:
    assert safety().children_now(words("mum has a knife the children are in the house now"))
    assert not safety().children_now(words("what happens now when children are left alone"))
    assert not safety().children_now(words("the children are in the house"))


def test_a_training_scenario_that_asks_for_learning_is_not_urgent() -> None:
    decision = decide("training scenario: a baby has a bruise and dad hit her, what learning is there from reviews")
    assert not decision.urgent and decision.reason.startswith("a scenario, a case study, a closed case")


def test_a_framed_story_that_asks_for_nothing_we_hold_stays_a_concern() -> None:
    assert decide("role play turned real - a delegate says her niece is being sexually abused").urgent


def test_a_framed_story_told_now_stays_a_concern() -> None:
    assert decide("case study today: a baby with a bruise, dad hit her, is in my clinic now").urgent


def test_she_beside_one_of_our_reviews_is_the_review_s_child() -> None:
    assert not decide("was patricia abused? what was her review about").urgent
    assert decide("reading the patricia briefing and my pupil says her dad hits her").urgent


def test_a_worry_said_to_be_no_risk_now_is_not_urgent() -> None:
    for text in (
        "none of these children are at immediate risk, how do we make a written referral about a child",
        "i need the duty number for my list, is not emergency, worried about a child",
        "no concerns right now but i am worried about a child",
        "no one is in danger tonight but i am worried about a child",
        "not a worry right now but i am worried about a child",
    ):
        decision = decide(text)
        assert not decision.urgent and decision.reason == "said not urgent", text


def test_a_doubt_or_a_missing_document_is_not_saying_not_urgent() -> None:
    assert not Safety.said_not_urgent(words("not sure if this is urgent"))
    assert Safety.said_not_urgent(words("this is not an emergency"))
    assert not Safety.said_not_urgent(words("i am not sure if she is in danger"))
    assert not Safety.said_not_urgent(words("no risk assessment was done and she is scared"))
    assert not Safety.said_not_urgent(words("he is not eating and in danger"))


def test_a_child_in_the_name_of_a_meeting_or_a_service_is_no_child() -> None:
    for text, child in (
        ("i have a child protection conference at 2", 3),
        ("with the children and family service", 2),
    ):
        tokens, hits = named(text)
        assert safety().masked(tokens, hits)[child] == "", text
    for text in ("i think this is child abuse", "child protection concern need to speak to someone now"):
        tokens, hits = named(text)
        assert "child" in safety().masked(tokens, hits), text  # what may be happening stays in the story


def test_a_child_said_to_be_safe_now_is_no_child_at_risk() -> None:
    said_safe = safety().said_safe
    assert said_safe(the_matcher().tokens("she's safe in foster care now and the police are investigating")[0])
    assert said_safe(words("the children are safe with their nan"))
    for text in ("he doe not feel safe at home", "she is not safe", "is she safe now", "she is still not safe"):
        assert not said_safe(words(text)), text
    assert not said_safe(words("her brother is safe now but she is at home with him and his friend tonight"))
    assert said_safe(words("the baby is doing well with her grandparents"))
    assert said_safe(words("the girl is settled with us"))
    assert not said_safe(words("is she ok"))


def test_a_word_of_now_inside_a_frame_belongs_to_the_frame() -> None:
    scores = {"theme": 92.0}
    assert safety().framed(words("a girl was hurt by older lads it is closed now what have reviews said"), scores)
    assert not safety().framed(words("a girl was hurt by older lads it is closed now but tonight she is out"), {})


def test_a_worry_denied_about_anyone_in_particular_is_said_not_urgent() -> None:
    assert Safety.said_not_urgent(words("i am not worried about any one baby today"))
    assert not Safety.said_not_urgent(words("she is not worried about him hitting her"))


def test_in_a_long_message_a_refusal_s_words_must_meet_within_one_sentence() -> None:
    essay, asked, check = (
        words("my student is writing an essay on the review"),
        words("she asked me when it was published"),
        words("i would rather check than answer wrongly"),
    )
    story = essay + asked + check
    scores, _ = the_matcher().intents.scores(story)
    assert max(safety().refusals(story, scores).values()) >= 85.0  # read as one: 'check my essay' is refused
    assert safety().refusals(story, scores, (0, len(essay), len(essay) + len(asked))) == {}
    request = words("can you check my essay")
    assert max(safety().refusals(request, the_matcher().intents.scores(request)[0]).values()) >= 85.0


def test_in_a_long_message_what_is_asked_is_read_from_the_sentence_it_asks_in() -> None:
    story = (
        "A 14 year old in our care has just shown a member of staff messages from someone on snapchat saying "
        "they will send her pictures to everyone unless she sends more by midnight. She is in bits in the lounge. "
        "The manager is on leave and we have never had this before. What are the next steps"
    )
    tokens, hits, scores, starts, asked = read_long(story)
    assert starts and asked == (starts[-1], len(tokens))  # a long message: what it asks is its last sentence
    assert safety().decide(tokens, hits, scores, starts, asked).urgent
    assert not safety().decide(tokens, hits, scores).urgent  # read as one, 'what are + member' seemed asked


def test_in_a_long_message_an_urgent_rule_s_words_must_meet_within_two_neighbouring_sentences() -> None:
    sentences = [words("i am worried"), words("the weather is fine"), words("the bus was late"), words("about a child")]
    apart = tuple(t for s in sentences for t in s)
    scores, _ = the_matcher().intents.scores(apart)
    whole = safety().urgency(apart, apart, scores)
    assert whole >= 85.0  # read as one, the rule matches
    assert safety().urgency(apart, apart, scores, (0, 3, 7, 11)) < whole  # three sentences apart: it does not
    near = (*sentences[1], *sentences[2], *sentences[0], *sentences[3])
    scores, _ = the_matcher().intents.scores(near)
    assert safety().urgency(near, near, scores, (0, 4, 8, 11)) == safety().urgency(near, near, scores)  # neighbours


def test_a_theme_told_in_the_story_is_a_concern_and_named_only_where_asked() -> None:
    tokens = words("his dad hits him and there is no food in the house is there a review on neglect")
    hits = the_matcher().entities.hits(tokens, frozenset())
    asked = (tokens.index("is", 10), len(tokens))  # the question: 'is there a review on neglect'
    masked = safety().masked(tokens, hits, asked)
    assert masked[-1] == "" and "dad" in masked  # the theme asked about is a name; 'dad' in the story is not
    assert "dad" not in safety().masked(tokens, hits)  # read as one question, every theme word is a name


def test_a_child_now_told_after_one_of_our_reviews_is_still_a_child_now() -> None:
    story = (
        "Sorry this is long. I'm writing my reflective log about the Child E review and I'll need the link at some "
        "point. But mainly, tonight we've got a 2 week old in with a bruised face and the parents have just walked "
        "off the ward with him. Security didn't stop them"
    )
    assert the_matcher().match(story).kind == ReplyKind.URGENT


def test_for_reference_is_not_urgent_unless_a_child_now_is_told_too() -> None:
    assert not decide("for my notes, who do i ring if i am worried about a child").urgent
    assert decide("for my notes: tonight a girl in my class said her dad hits her and she is scared").urgent


BACKGROUND = (
    "Our new staff at the short breaks home are lovely but anxious about getting things wrong with families from "
    "different communities across the city. Staff worry about the children in families who believe behaviour is "
    "caused by spirits or a curse, so they say nothing and go along with it. My manager says she wants me to lead "
    "a session on it. {now}{ask}"
)
LEARNING = "What has the learning from reviews said about culture, religion and keeping children safe?"


def test_a_long_story_told_as_background_to_a_question_we_answer_is_not_urgent() -> None:
    tokens, hits, scores, starts, asked = read_long(BACKGROUND.format(now="", ask=LEARNING))
    decision = safety().decide(tokens, hits, scores, starts, asked)
    assert not decision.urgent and decision.reason.startswith("a story told as background")
    assert safety().decide(tokens, hits, scores).urgent  # read as one short question, the concern stands


def test_a_long_story_with_anything_now_in_it_is_never_background() -> None:
    for now, ask in (
        ("One of them came in this morning. ", LEARNING),  # a word of the last hours
        ("The youngest is scared of his dad. ", LEARNING),  # a concern told as a state
        ("A girl in my class says her stepdad hits her. ", LEARNING),  # one child and a concern, together
        ("A boy in my tutor group turned up with a black eye. ", "Where can I read the Child E review?"),  # an injury
        ("", "Who do I report this to in the city, and is there a referral form?"),  # asks whom to call
    ):
        tokens, hits, scores, starts, asked = read_long(BACKGROUND.format(now=now, ask=ask))
        assert safety().decide(tokens, hits, scores, starts, asked).urgent, now + ask


def test_in_a_long_message_an_urgent_rule_s_words_must_fall_within_a_few_words() -> None:
    story = (
        "I think the training went well and the new starters asked good questions about the different teams and "
        "how they work together across the city and the county. Afterwards one of them wondered aloud how a child "
        "gets a review, and who decides."
    )
    tokens, _hits, scores, starts, _asked = read_long(story)
    assert scores.get("urgent", 0.0) >= 85.0  # 'think + child' as a bag of words
    assert safety().urgency(tokens, tokens, scores, starts) == 0.0  # thirty words apart: chance


STORIES_OF_A_CHILD_NOW = (
    "PCSO here, writing up my notes at the station after a long shift. On foot patrol tonight an older man was "
    "putting a girl who looked about 13 into his car and she looked scared. Probably nothing, might have been "
    "her uncle. Also wanted to ask what learning there is for police",
    # a child brought into the story with a concern, after a question asked 'for my notes'
    "Quick question about the rapid review timescales, the 5 days and the 15 days, for my notes. Also fyi, on "
    "my way into work I saw a toddler in just a nappy wandering along the main road on his own, no adult "
    "anywhere. I've pulled over and he's sat in my car with the heater on",
)


@pytest.mark.parametrize("story", STORIES_OF_A_CHILD_NOW)
def test_a_long_story_of_a_child_now_is_urgent_whatever_it_asks(story: str) -> None:
    tokens, hits, scores, starts, asked = read_long(story)
    assert safety().decide(tokens, hits, scores, starts, asked).urgent
    assert the_matcher().match(story).kind == ReplyKind.URGENT


def test_what_a_review_says_is_no_child_telling() -> None:
    tokens, hits = named("what do reviews say about teenagers and her lifestyle choice")
    masked = safety().masked(tokens, hits)
    assert masked[3] == "" and "teenager" in masked  # 'say' belongs to the reviews
    tokens, hits = named("a teenager in my class said her stepdad hits her")
    assert "said" in safety().masked(tokens, hits)


def test_in_a_short_message_too_a_refusal_s_words_must_meet_within_one_sentence() -> None:
    question = (
        "IDVA doing a bit of digging for our service's annual report. I want to look at how many Leicester reviews "
        "mentioned domestic abuse. Is there an archive of past serious case reviews for the city?"
    )
    assert len(question.split()) < 40 and the_matcher().match(question).kind == ReplyKind.ANSWER
    assert the_matcher().match("how do I write our annual report").kind == ReplyKind.FALLBACK


def test_a_worry_already_in_the_agencies_hands_is_a_frame_unless_anything_is_recent() -> None:
    scores = {"theme": 92.0}
    handled = "older lads pick a girl up in cars, school referred it and it is being handled, what have reviews said"
    assert safety().handled(words(handled)) and safety().framed(words(handled), scores)
    recent = "older lads picked a girl up this morning, social care already know, what have reviews said"
    assert not safety().handled(words(recent)) and not safety().framed(words(recent), scores)


def test_a_word_of_now_just_after_a_frame_belongs_to_the_frame() -> None:
    scores = {"theme": 92.0}
    assert safety().framed(
        words("a case study at inset today about a baby with a bruise what have reviews said"), scores
    )
    assert not safety().framed(words("a case study at inset about a baby, and a baby is in my clinic today"), scores)


def test_not_urgent_hedged_is_a_doubt() -> None:
    matcher = the_matcher()  # as the pipeline reads it: 'not urgent' is one word to the synonyms
    assert not matcher.said_not_urgent("not urgent probably but she has a bruise and will not go home")
    assert matcher.said_not_urgent("not urgent but i would like to talk to someone about a family")


def test_harm_told_of_today_in_the_sentence_after_the_child_is_urgent_whatever_the_writer_says() -> None:
    """The child brought in one sentence, today's harm told of 'him' in the next: the two read together."""
    story = (
        "Not urgent really but I would like some advice about a little lad in my class at school this term. "
        "He flinches whenever you lift your hand near him and he told me today that his dad hit him. "
        "We are in the county. What should I do next about it please?"
    )
    tokens, hits, scores, starts, asked = read_long(story)
    assert starts
    assert safety().harmed_lately(safety().masked(tokens, hits), starts)
    assert safety().decide(tokens, hits, scores, starts, asked).urgent
    past = story.replace("today", "last year")
    tokens, hits, scores, starts, asked = read_long(past)
    assert not safety().harmed_lately(safety().masked(tokens, hits), starts)


def test_a_story_of_grown_ups_only_is_no_child_at_risk() -> None:
    """'She is 34' or 'a 45 year old': her 'she' and 'him' are adults; a child named beside them is a child."""
    assert safety().about_adults(named("a woman in my clinic, she is 34 and lives alone with him")[0])
    assert safety().about_adults(named("a 45 year old woman whose partner hits her")[0])
    assert not safety().about_adults(named("a year 9 girl says he is 19 and picks her up")[0])
    assert not safety().about_adults(named("she is 34, and her 3 year old is alone with him")[0])
    assert not safety().about_adults(named("a woman who lives alone with him")[0])  # no age: anyone
    assert not decide("a woman in my clinic, she is 34 and lives alone with him").urgent


def test_children_counted_in_a_story_of_the_last_hours_are_children_now_not_a_review_s_name() -> None:
    """'Two kids' names Child C & D in a question about reviews; bailed back 'this morning' to where two kids
    are, they are children now, whatever the message goes on to ask."""
    assert safety().points_at_one_child(words("mum and two children under 5 are there"))
    tokens, hits = named("dad was bailed this morning back to the address where mum and two children are")
    assert "two" in safety().masked(tokens, hits)
    tokens, hits = named("what did the review about two children find")
    assert "two" not in safety().masked(tokens, hits)


def test_a_life_at_risk_now_is_urgent_whatever_else_the_message_asks() -> None:
    """'…he'll kill them. I do safeguarding training for a living, my mind's gone blank': a learning word in the
    writer's story never sets a life at risk now aside."""
    story = (
        "the children next door, mum has taken an overdose this morning. i deliver safeguarding training, any learning"
    )
    assert decide(story).urgent


def test_a_refusal_only_as_sure_as_a_concern_never_silences_it() -> None:
    """'Baby not fed, flat freezing, mum won't wake up - help' met an IT refusal's words ('freezing + help') at
    the same strength: the concern wins a tie; a surer refusal still wins where no child is pointed at."""
    tokens, hits = named("write my chronology, baby not waking")
    scores, _ = the_matcher().intents.scores(tokens)
    assert scores["urgent"] == scores["not_for_me"]
    assert safety().decide(tokens, hits, scores).urgent
    assert not decide("please write a chronology, the baby will not wake").urgent


def test_children_counted_with_a_word_between_are_pointed_at() -> None:
    assert safety().points_at_one_child(words("a woman who has two young children"))
    assert not safety().points_at_one_child(words("a woman who has young children"))


def test_harm_of_the_last_hours_outside_the_frame_s_sentence_is_urgent_whatever_else_is_asked() -> None:
    """A training frame set aside ('I was going to ask… for a training session, but…') does not make today's
    harm to one child a story; the frame in the harm's own sentence does."""
    story = (
        "I am a teaching assistant at a primary school in the city. "
        "I was going to ask what reviews say about neglect for a case study, but something has just "
        "happened. A little lad in my class told me this morning that his dad hit him. "
        "What do I do first?"
    )
    tokens, hits, scores, starts, asked = read_long(story)
    assert starts and safety().harmed_lately(safety().masked(tokens, hits), starts)
    assert safety().decide(tokens, hits, scores, starts, asked).urgent
    framed = "Training scenario: a little lad in my class told me this morning that his dad hit him. Learning?"
    tokens, hits, scores, starts, asked = read_long(framed)
    assert not safety().harmed_lately(safety().masked(tokens, hits), starts)


def test_kin_told_with_a_grown_up_s_age_is_no_child() -> None:
    assert safety().about_adults(named("my son is 30 and lives alone, he hears voices")[0])
    assert not safety().about_adults(named("my son is 13 and lives with his dad, he hears voices")[0])
    assert safety().grown_ups_only(named("my son is 30 and lives alone, he hears voices")[0])
    assert not safety().grown_ups_only(named("she is 25 and drinks, her kids are 4 and 6")[0])


def test_learning_disabilities_are_no_learning_asked_for() -> None:
    assert not safety().mentions_learning(named("my brother has learning disabilities")[0])
    assert safety().mentions_learning(named("what is the learning on disabled children")[0])


def test_a_child_of_a_school_year_is_one_child() -> None:
    """'One of my Year 2s told the TA this morning…' points at one child, as 'a girl' would."""
    assert safety().names_one_child(named("one of my year 2s told the ta this morning")[0])
    assert safety().names_one_child(named("a year 9 said her stepdad hit her")[0])
    assert not safety().names_one_child(named("the year 2025 review")[0])


def test_an_injury_in_a_story_of_grown_ups_only_is_not_urgent() -> None:
    """'A resident, she is 84, has unexplained bruising': an adult, for adult safeguarding; told of a
    child, the same words are urgent."""
    assert not decide("a care home resident, she is 84, has unexplained bruising on both arms, who do i call").urgent
    assert decide("a toddler has unexplained bruising on both arms, who do i call").urgent


def test_an_emergency_contact_not_answering_is_no_statement_that_nothing_is_urgent() -> None:
    assert not Safety.said_not_urgent(named("none of the emergency contacts are answering")[0])
    assert Safety.said_not_urgent(named("none of these children are at immediate risk")[0])
    assert Safety.said_not_urgent(named("it is not one kid i am worried about today, it is the pattern")[0])


def test_clients_and_the_old_are_grown_ups_and_so_are_an_old_person_s_children() -> None:
    assert grown_people(named("my client is 22 and has a learning disability")[0]) == {"client"}
    assert safety().about_adults(named("elderly lady on my round, her son takes her pension")[0])
    assert grown_people(named("one of our residents, 84, her son takes her bank card")[0]) == {
        "resident",
        "son",
    }
    assert not safety().about_adults(named("elderly patient, the grandchild living there has a black eye")[0])


def test_two_children_of_a_story_are_no_review_s_name() -> None:
    """'Two children' names Child C & D only where reviews are spoken of: not children found in a park tonight."""
    tokens, hits = named("found two kids in the park at 10pm, they are locked out")
    assert "children" in safety().masked(tokens, hits)
    tokens, hits = named("the review about two children that came out in july")
    assert "children" not in safety().masked(tokens, hits)


def test_a_review_said_not_to_be_asked_about_is_no_learning_asked_for() -> None:
    assert not safety().mentions_learning(named("this is not about a case review, sorry, toddler on the ledge")[0])
    assert safety().mentions_learning(named("what does the case review say about toddlers")[0])


def test_a_children_s_service_and_a_child_said_not_to_be_name_no_child() -> None:
    assert no_child_named(named("not a child, an elderly patient")[0])[2] == ""
    assert safety().grown_ups_only(named("she is 19, an adult now, so children's duty won't take it")[0])
    assert not safety().grown_ups_only(named("she is 19 and her children are 2 and 4")[0])
    assert safety().grown_ups_only(named("a care leaver i worked with is 19 now, no kids, her boyfriend hits her")[0])
    assert safety().grown_ups_only(named("my neighbour is 82 and her son takes her pension")[0])


def test_help_already_given_and_thanked_for_is_no_new_concern() -> None:
    tokens, _ = named("thank you, it was years ago and the police took the children somewhere safe")
    scores, _ = the_matcher().intents.scores(tokens)
    assert safety().framed(tokens, scores)


def test_do_not_worry_said_to_the_reader_says_nothing_of_the_child() -> None:
    assert not Safety.said_not_urgent(words("calm message do not worry i am fine mum has a black eye"))
    assert Safety.said_not_urgent(words("we do not worry about any one child here"))


@pytest.mark.parametrize(
    ("story", "blanked"),
    [
        ("my manager told me to use you instead of ringing her", "told"),  # a grown-up's telling
        ("mum has told us she left because of his abuse", "told"),
        ("i am worried about a colleague she has been recording visits", "worried"),  # a grown-up at work
        ("i am worried a colleague is not recording her visits", "worried"),
        ("a parent at our toddler group asked me for a number", "toddler"),  # a place children gather
        ("what agencies down there learned generally", "down"),  # a place far off
    ],
)
def test_grown_ups_and_places_told_of_are_no_child(story: str, blanked: str) -> None:
    tokens = words(story)
    assert blanked not in safety().masked(tokens, [])


def test_a_child_s_own_telling_stays_a_disclosure() -> None:
    assert "told" in safety().masked(words("she told me her dad hits her"), [])


def test_a_grown_up_s_saying_is_no_child_s_disclosure() -> None:
    assert "say" not in safety().masked(words("my mum say i am too soft on him"), [])
    assert "say" in safety().masked(words("my pupil say her dad hits her"), [])


def test_young_kin_in_a_grown_up_s_story_is_a_child() -> None:
    assert safety().grown_ups_only(named("my client is 22 and her boyfriend hits her")[0])
    assert not safety().grown_ups_only(named("my client is 22 and her little brother says dad hits him")[0])


def test_the_writer_s_grown_up_age_is_no_time_of_harm() -> None:
    assert not decide("i was hurt as a kid in a children home years ago, i am 40 now, is there a review").urgent
    assert decide("i am 40 now and a kid next door was hurt today").urgent


def test_no_children_said_before_a_child_told_of_is_no_all_clear() -> None:
    assert decide("my neighbour is 82, there are no kids, but a toddler next door screams all night").urgent
    assert not decide("the lad upstairs is 19, there are no kids, he looks terrified").urgent


def test_a_number_before_any_child_noun_points_at_children() -> None:
    assert safety().points_at_one_child(words("we found two toddler shut in a bedroom"))
    assert not safety().points_at_one_child(words("two review about toddler"))


def test_a_child_supposed_is_no_child_told_of() -> None:
    supposed = safety().without_supposed_child(words("forreference about a child out of hour who do i phone"))
    assert "child" not in supposed and "phone" in supposed
    assert "toddler" in safety().without_supposed_child(words("forreference a toddler was left alone last night"))


def test_a_colleague_s_practice_with_the_child_said_safe_is_not_urgent() -> None:
    story = "my colleague made a referral that was really thin she missed load out the child been seen and is fine"
    assert safety().about_a_colleague(words(story)) and not decide(story).urgent
    assert decide("my colleague made a referral that was really thin the child is really thin and hungry").urgent


def test_a_time_of_the_last_hours_is_no_story_of_the_past() -> None:
    """'Case closed years ago… her stepdad hit her last night': the harm is told now, whatever frames it."""
    scores = {"theme": 85.0}
    assert safety().framed(words("a case closed years ago what does the learning say"), scores)
    told_now = words("a case closed years ago her stepdad hit her last night what is the learning")
    assert not safety().framed(told_now, scores)


def test_a_worry_about_an_everyday_matter_is_not_urgent_unless_harm_is_told_too() -> None:
    """'Should I be worried about autism?' tells no harm; the same worry beside a bruise does."""
    decision = decide("my son is 3 and not talking much, should i be worried about autism")
    assert not decision.urgent and decision.reason == ORDINARY_WORRY
    assert decide("my son is 3 and not talking much, should i be worried").urgent
    assert decide("my son is 3 and has a bruise on his face, should i be worried about autism").urgent
