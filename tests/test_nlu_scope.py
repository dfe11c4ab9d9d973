"""Scope: a case, name or area we do not hold is never answered with one of our entries."""

from __future__ import annotations

from nlu_helpers import named, reading, the_matcher

from bot.kb.models import ReplyKind
from bot.nlu.scope import NOT_OUR_AREA, Scope
from bot.nlu.types import Match


def scope() -> Scope:
    return the_matcher().scope


def other_area(story: str) -> bool:
    """`names_other_area` over a whole message, read by sentence."""
    tokens, hits = named(story)
    return scope().places.names_other_area(tokens, hits, story)


def test_another_area_s_review_falls_back_as_a_review_we_do_not_hold() -> None:
    r = reading("Nottingham City CSPR 2023")
    match = scope().elsewhere(r)
    assert match is not None and match.kind == ReplyKind.FALLBACK and match.unknown_review
    assert r.trace == [("scope", "names another area")]


def test_asking_where_to_read_another_area_s_reviews_gets_the_national_repository() -> None:
    match = scope().elsewhere(reading("where can i read birmingham's case reviews"))
    assert match is not None and (match.kind, match.intent) == (ReplyKind.ANSWER, "national_repository")


def test_our_own_area_named_too_is_not_another_area() -> None:
    tokens, _ = named("leicester and derby reviews")
    assert not scope().places.names_other_area(tokens, [])
    tokens, _ = named("just moved here from derby, any reviews")
    assert not scope().places.names_other_area(tokens, [])
    tokens, _ = named("new to the city after derby, any reviews")  # a phrase of the origin words: 'new to'
    assert not scope().places.names_other_area(tokens, [])
    tokens, _ = named("derby reviews")
    assert scope().places.names_other_area(tokens, [])
    tokens, _ = named("same as leicester's review, but what happened with the derby one")  # asked as theirs
    assert scope().places.names_other_area(tokens, [])
    tokens, _ = named("the baby review in leicester, not the derby one")
    assert not scope().places.names_other_area(tokens, [])


def test_a_place_is_someone_s_origin_only_when_it_follows_a_word_of_origin() -> None:
    """'Moved' excuses the place it comes before, not every place of the message; 'from' alone does too, unless
    it says whose reviews or whose child ('the reviews from Derby')."""
    tokens, hits = named("the patricia case in derby, when was it published. the family moved up there")
    assert scope().places.names_other_area(tokens, hits)
    tokens, _ = named("latest reviews from derby safeguarding partnership. i have just moved there from leicester")
    assert scope().places.names_other_area(tokens, [])
    tokens, _ = named("i joined the city team from derby, where are the reviews")
    assert not scope().places.names_other_area(tokens, [])


def test_a_home_town_s_namesake_abroad_is_another_area() -> None:
    """'Rutland, Vermont' is not our Rutland; 'Rutland' alone, or beside another area, still is."""
    tokens, _ = named("rutland vermont child protection duty number")
    assert scope().places.names_other_area(tokens, [])
    tokens, _ = named("rutland and derby duty number")
    assert not scope().places.names_other_area(tokens, [])


def test_an_acronym_after_a_case_word_is_a_role_not_a_first_name() -> None:
    tokens, hits = named("what happened in the child e case nqt here")
    assert not scope().names.names_unknown_review(tokens, hits)
    tokens, hits = named("baby kayleigh review")
    assert scope().names.names_unknown_review(tokens, hits)


def test_a_letter_name_or_first_name_we_do_not_hold_is_unknown() -> None:
    for question in ("child f review", "a child called jayden", "baby kayleigh"):
        tokens, hits = named(question)
        assert scope().names.names_unknown_review(tokens, hits), question
    tokens, hits = named("child e review")
    assert not scope().names.names_unknown_review(tokens, hits)
    tokens, hits = named("our named gp")
    assert not scope().names.names_unknown_review(tokens, hits)  # a role, not a name


def test_children_are_named_by_letters_never_by_one_first_name() -> None:
    """'disabled children esp non verbal ones': the word after 'children' is no child's first name."""
    tokens, hits = named("what do reviews say about disabled children esp non verbal ones")
    assert not scope().names.names_unknown_review(tokens, hits)
    tokens, hits = named("child esme review")
    assert scope().names.names_unknown_review(tokens, hits)


def test_a_full_name_beside_a_review_word_is_someone_else_s_case() -> None:
    text = "the Arthur Labinjo-Hughes review"
    tokens, hits = named(text)
    assert scope().names.names_someone_else(text, tokens, hits)
    text = "my manager wants the latest review"
    tokens, hits = named(text)
    assert not scope().names.names_someone_else(text, tokens, hits)


def test_a_review_of_a_partnership_we_hold_none_for() -> None:
    tokens, hits = named("the rutland review about the boy in oakham")
    assert scope().names.names_review_of_partnership_without_any(tokens, hits)


def test_one_of_our_reviews_is_in_scope() -> None:
    r = reading("child e")
    assert scope().elsewhere(r) is None
    assert r.trace == [("scope", "in scope")]


def test_a_refusal_is_the_fallback_and_says_so() -> None:
    r = reading("what is the real name of patricia")
    assert scope().refusal(r) == Match(ReplyKind.FALLBACK, None, refused=True)
    assert r.trace == [("scope", "refused: the question asks what the bot never answers")]


def test_another_area_beside_one_of_our_review_names_is_their_case() -> None:
    match = scope().elsewhere(reading("Derby Child C and D"))
    assert match is not None and match.kind == ReplyKind.FALLBACK and match.unknown_review


def test_a_place_we_do_not_know_before_safeguarding_partnership_is_another_area() -> None:
    assert scope().names.names_unknown_place("Ashbury Vale safeguarding partnership child E review")
    assert not scope().names.names_unknown_place("Patrica safeguarding review", frozenset({"patrica"}))
    assert not scope().names.names_unknown_place("Many thanks, Sarah (Safeguarding Lead, primary academy trust)")
    assert not scope().names.names_unknown_place("I've just started in Oakham. Which safeguarding partnership is it?")


def test_a_place_or_name_we_do_not_know_beside_a_review_word_is_someone_else_s() -> None:
    for question in (
        "Hallowford LSCPR on domestic abuse",
        "the Priya review in Leicester, what was learned",
        "Ashcombe Bridge Child C and D review",
        "is there a safeguarding review about a kid from Thornvale",
    ):
        match = scope().elsewhere(reading(question))
        assert match is not None and match.kind == ReplyKind.FALLBACK and match.someone_elses, question


def test_our_towns_our_names_and_their_typos_beside_a_review_word_are_ours() -> None:
    for question in ("the Patricia review", "the Patrica review", "a review about a child from Loughborough"):
        assert scope().elsewhere(reading(question)) is None, question


def test_the_speaker_s_own_team_in_another_area_is_not_that_area_s_case() -> None:
    tokens, _ = named("our coventry team wants the learning on neglect")
    assert not scope().places.names_other_area(tokens, [])
    tokens, _ = named("coventry learning on neglect")
    assert scope().places.names_other_area(tokens, [])


def test_a_place_where_the_writer_worked_or_trained_is_not_whose_case_is_asked_about() -> None:
    """'When I was in Kent', 'my old team in Bristol', 'in Croydon where I qualified': the writer's story."""
    for story in (
        "which themes does the learning cover? when i was in kent we did one theme a month",
        "how long does a rapid review take, my old team in bristol said 15 days",
        "why is the report not public? in croydon where i qualified every report went online",
        "what is a cspr? where i worked before, in cumbria, everyone said scr",
    ):
        tokens, hits = named(story)
        assert not scope().places.names_other_area(tokens, hits, story), story


def test_a_place_that_owns_a_review_is_theirs_whatever_the_writer_says() -> None:
    """A review or case right after the place ('when I was in Kent, the Kent review…'), or the place right after
    one ('reviews in Kent'), is theirs; a review in the next sentence is not owned by it."""
    for story in (
        "my old kent review about a baby, what did it find",
        "when i worked on reviews in kent, what did they find about neglect",
        "what did the nottingham one say",
    ):
        tokens, hits = named(story)
        assert scope().places.names_other_area(tokens, hits, story), story
    story = "New to the area from Kent. What reviews have come out here lately?"
    tokens, hits = named(story)
    assert not scope().places.names_other_area(tokens, hits, story)


def test_a_capitalised_run_with_a_home_place_in_it_is_ours() -> None:
    """'A student from De Montfort', 'a child from Market Harborough': one unknown word beside a home place."""
    assert not scope().names.names_unknown_place("is there a review about a child from Market Harborough")
    assert not scope().names.names_unknown_place("a student from Zorvale Melton with me, where is the Child E review")
    assert scope().names.names_unknown_place("is there a review about a child from Zorvale Heath")


def test_a_place_the_writer_had_or_did_things_in_is_their_story() -> None:
    for story in (
        "we did not have them in kent, is that what the child e review is",
        "police non emergency number here, is it the same as at home in kent",
    ):
        tokens, hits = named(story)
        assert not scope().places.names_other_area(tokens, hits, story), story


def test_a_known_other_area_before_a_review_word_is_judged_by_whose_case_it_is() -> None:
    """'A Sheffield review' told in passing is another area's name we know: not an unknown place, so the
    rules that read whose case it is decide ('comparing with a Sheffield review… when was Patricia published?')."""
    assert not scope().names.names_unknown_place("comparing with a Sheffield review I know well")
    assert scope().names.names_unknown_place("comparing with a Zorvale review I know well")
    story = "Doing my dissertation at Leicester Uni, comparing with a Sheffield review. When was Patricia published?"
    tokens, hits = named(story)
    assert not scope().places.names_other_area(tokens, hits, story)


def test_with_ours_named_their_case_in_the_sentence_that_asks_is_theirs() -> None:
    for story, theirs in (
        ("Could you tell me about the Patricia review from Kirklees? Not the Leicester one.", True),
        ("I read about a Child E review from Croydon. Is the Leicester Child E an LCSPR?", False),
        ("leicester and derby reviews", False),
        ("the derby child e review, when was it out, someone said it tied in with the leicester child e one", True),
        ("Not the Leicester C and D one, the Derby review. What happened to her?", True),  # ours set aside
        ("What did the Derby partnership say about Child D? Someone said it was like the Leicester one.", True),
    ):
        assert other_area(story) is theirs, story


def test_a_place_told_outside_the_sentence_that_asks_is_the_writer_s_story() -> None:
    """Unless the question points back to it ('they'), or its sentence names one of our reviews (their
    namesake), or it owns a case."""
    for story, theirs in (
        ("We merged with a surgery in Northants and it went well. Where is the referral form?", False),
        ("We merged with a surgery in Northants and it went well. What reviews have they published?", True),
        ("A colleague in Rochdale had a Child C and D review over there. Was that about neglect?", True),
        ("My cousin works on reviews in Rochdale. Where is the referral form?", True),
        ("after the rochdale drama my TA asked about grooming. not asking about rochdale, whats the learning", False),
    ):
        assert other_area(story) is theirs, story


def test_there_asked_after_a_place_the_writer_comes_from_asks_about_that_place() -> None:
    for story, theirs in (
        ("I'm from Wales. What's the process for a case review there and who commissions it?", True),
        ("I'm from Wales. Is there a case review process like yours?", False),  # 'is there' names no place
        ("I trained in Wales and back there it was different. What is a case review?", False),
    ):
        assert other_area(story) is theirs, story


def test_a_place_followed_by_years_tells_when_not_whose_case() -> None:
    story = "I trained in Rochdale years ago so this is close to home. What is the learning on grooming?"
    tokens, hits = named(story)
    assert not scope().places.names_other_area(tokens, hits, story)


def test_a_question_said_not_to_be_about_our_area_is_another_area_s() -> None:
    r = reading("how does the ird process work up here")
    assert scope().elsewhere(r) is None
    r = reading("how does the ird process work up here")
    r.tokens = ("this", NOT_OUR_AREA, *r.tokens)  # what the synonyms make of 'this isn't about Leicester'
    match = scope().elsewhere(r)
    assert match is not None and match.kind == ReplyKind.FALLBACK and match.someone_elses


def test_a_town_of_ours_or_llr_names_our_area_so_a_place_told_in_passing_is_the_writer_s() -> None:
    for story, theirs in (
        ("Is there a local framework for how LLR runs reviews? In Bristol we had one that set it all out.", False),
        ("I work in Oakham after years in Lincolnshire. Who covers Rutland, is it the city board?", False),
        ("I work in Oakham. What did the Lincolnshire partnership publish?", True),  # their body, asked
    ):
        assert other_area(story) is theirs, story


def test_a_word_of_origin_in_the_sentence_before_does_not_make_our_area_someone_s_origin() -> None:
    tokens, _ = named("i moved here in may. rutland reviews")
    starts = (0, tokens.index("rutland"))
    assert not scope().places.comes_from(tokens, tokens.index("rutland"), after_from=False, starts=starts)
    assert scope().places.comes_from(tokens, tokens.index("rutland"), after_from=False)  # 'moved', read across


def test_another_area_s_name_is_no_stranger_s_full_name() -> None:
    """'Northern Ireland' is a place; whether its case is asked is `names_other_area`'s to judge."""
    for text, someone in (
        ("In Bristol Council we had case management reviews. How does a case become a local review here?", False),
        ("In Ashbury Vale we had case reviews. Tell me about the Star Hobson review", True),
    ):
        tokens, hits = named(text)
        assert scope().names.names_someone_else(text, tokens, hits) is someone, text


def test_a_duty_team_named_after_another_area_is_theirs() -> None:
    tokens, hits = named("just transferred from nottingham city children's social care, any reviews")
    assert any(h.ref.kind == "contact" for h in hits)
    assert not any(h.ref.kind == "contact" for h in scope().without_theirs(tokens, hits))
    tokens, hits = named("leicester city children's social care number")
    assert scope().without_theirs(tokens, hits) == hits


def test_here_in_our_area_is_where_the_writer_is_now() -> None:
    story = "I came from Croydon where we used the London procedures. What is the equivalent here in Leicester?"
    tokens, _ = named(story)
    assert not scope().places.comes_from(tokens, tokens.index("leicester"), after_from=False)
    assert not other_area(story)


def test_an_unknown_place_the_writer_comes_from_is_their_story() -> None:
    assert scope().names.names_unknown_place("what did the Hallowford council publish")
    assert not scope().names.names_unknown_place("I moved down from a Hallowford council. What did the board publish?")


def test_names_told_only_in_another_area_s_story_are_that_story_s() -> None:
    """The sentence naming Child A tells of Rochdale and asks nothing; another names one of ours."""
    for story, unknown in (
        ("Who published Patricia? In Rochdale our reviews were all Child A, Child B. Was it the city?", False),
        ("Who published Child A? In Rochdale our reviews were like that. Was it the city?", True),
        ("Who published Patricia? Our reviews were all Child A, Child B. Was it the city?", False),  # examples
        ("Who published Patricia? We had a Child B. Was it the city?", True),  # one name, no place
    ):
        tokens, hits = named(story)
        assert scope().names.names_unknown_review(tokens, hits, story) is unknown, story


def test_places_listed_together_share_the_phrase_of_origin() -> None:
    assert not other_area("we had a lot of it in rochdale and oxford when i trained, what is the learning on grooming")
    assert other_area("the review learning on grooming in rochdale and oxford")


def test_a_review_of_a_town_whose_partnership_we_hold_none_for_is_theirs() -> None:
    """Melton is the county partnership's (the fixture holds no county review): 'the Melton baby review' is
    theirs; 'I work in Melton, what reviews are there?' asks about ours."""
    tokens, hits = named("the melton baby serious case review summary")
    assert scope().names.names_review_of_partnership_without_any(tokens, hits)
    tokens, hits = named("i work in melton, what reviews are there")
    assert not scope().names.names_review_of_partnership_without_any(tokens, hits)


def test_after_one_of_our_names_a_is_the_article_not_a_letter_name() -> None:
    tokens, hits = named("is the baby serious case review a CSPR or an SCR")
    assert not scope().names.names_unknown_review(tokens, hits)
    tokens, hits = named("Baby Q serious case review learning")
    assert scope().names.names_unknown_review(tokens, hits)


def test_a_place_owns_no_case_told_at_the_end_of_the_sentence_before() -> None:
    """'…a full LCSPR. In Wales the process felt different': 'LCSPR in Wales' runs across two sentences."""
    assert not other_area("It won't go to a full LCSPR. In Rochdale it felt different. What is a rapid review?")


def test_here_where_the_writer_works_now_in_another_area_is_theirs() -> None:
    assert other_area("I just started at Rochdale council. There was a review here about Child C and D, what was it?")
    assert not other_area("I moved here from Rochdale in May. What was the Child C and D review about?")
    assert not other_area("I work in Rochdale now. What was the Leicester Child C and D review about?")


def test_the_question_word_followed_by_their_case_and_not_ours_asks_about_theirs() -> None:
    assert other_area("I know you cover Leicester's reviews, so where are Rochdale's published ones?")
    assert not other_area("I trained in Rochdale. Where are Leicester's published reviews?")


def test_our_own_partnership_elsewhere_and_a_place_told_after_a_word_of_origin_in_another_sentence() -> None:
    """'Our Rochdale partnership did a review on Child C and D' is theirs ('our Rochdale team' is where someone
    works); 'I trained in Leicester. Rochdale did a review…' is not excused by the sentence before."""
    assert other_area("Our Rochdale partnership did a review on Child C and Child D. When was it published?")
    assert other_area("I trained in Leicester. Rochdale did a review on Child C and D. Was it published?")


def test_a_place_owns_its_case_one_word_on_or_the_one_from_it() -> None:
    assert other_area("what was the learning from the Rochdale grooming case")
    assert other_area("can you tell me about the latest one from Rochdale? any reviews there")
    assert not other_area("I trained in Rochdale where case reviews were run differently. What is a rapid review?")


def test_a_review_told_there_in_another_area_s_sentence_is_theirs() -> None:
    assert other_area(
        "I used to work in Sheffield and there was a baby serious case review there. Is the briefing online?"
    )
    assert not other_area("I used to work in Sheffield. Is the baby serious case review briefing online?")


def test_a_review_they_had_of_one_of_our_names_is_theirs() -> None:
    """'…and we had a case review about Child E' in another area's sentence is that area's Child E; a review they
    had named by none of ours leaves a later question about ours alone."""
    assert other_area(
        "I used to work in Sheffield and we had a case review about Child E. Now I'm in Leicester. What came of it?"
    )
    assert not other_area(
        "In Sheffield we had a review that sat unpublished for years. When was the Leicester Child E one published?"
    )


def test_the_place_s_one_asked_about_is_theirs_without_ours_named() -> None:
    assert other_area("I work in Milton Keynes. What were the key learning points from that Milton Keynes one?")


def test_another_country_s_reviews_have_no_repository_of_ours() -> None:
    match = scope().elsewhere(reading("in the USA they have CPS, where are their case reviews published"))
    assert match is not None and match.kind == ReplyKind.FALLBACK
    assert scope().places.abroad_only(named("reviews in the usa")[0])
    assert not scope().places.abroad_only(named("reviews in the usa and in derby")[0])


def test_a_case_of_the_writer_s_past_told_before_a_general_question_is_not_what_is_asked() -> None:
    assert not other_area(
        "Are reviews meant to blame the social worker? When I worked on one in Bristol years ago I felt hung out "
        "to dry. I'm nervous about it happening again here."
    )
    assert other_area("When I worked on a review in Bristol years ago it went badly. What did it find?")


def test_how_long_someone_worked_somewhere_is_no_case_of_that_place() -> None:
    assert not other_area(
        "Parents all smiles then cancel every appointment. I did 20 years in Sheffield and now Leicester. "
        "Is there any review learning on it?"
    )
    story = "Twelve years in West Mids before coming to Leics. Any review learning?"
    assert not scope().names.names_unknown_place(story)


def test_letters_listed_as_examples_are_no_review_we_do_not_hold() -> None:
    story = (
        "I've trained in three local authorities and they all used letters, Child A, Child B and so on. "
        "Leicester has one called Patricia. What is it?"
    )
    tokens, hits = named(story)
    assert not scope().names.names_unknown_review(tokens, hits, story)


def test_a_partnership_named_at_the_end_of_a_sentence_owns_nothing_in_the_next() -> None:
    story = "Just transferred to Leicestershire. The briefings keep mentioning LRSCP. What does LRSCP stand for?"
    tokens, hits = named(story)
    assert not scope().names.names_review_of_partnership_without_any(tokens, hits, story)


def test_one_of_our_reviews_said_to_be_by_a_partnership_without_any_is_theirs() -> None:
    names = scope().names
    tokens, hits = named("my manager mentioned a child e review by the leicestershire and rutland partnership")
    assert names.names_review_of_partnership_without_any(tokens, hits)
    for wondering in (  # asked, or said to have been done by them: whose review ours is
        "is the child e review by the leicestershire and rutland partnership",
        "someone said the child e review was done by the leicestershire and rutland partnership",
    ):
        tokens, hits = named(wondering)
        assert not names.names_review_of_partnership_without_any(tokens, hits)


def test_another_area_beside_one_of_our_names_is_theirs_though_ours_is_named_elsewhere() -> None:
    assert other_area("Child E from Birmingham, any learning? I'm in the city here so I can't see it.")
    assert not other_area("Was there a statement with Child E? In Birmingham the chair always wrote one.")


def test_another_nation_s_national_guidance_is_its_own() -> None:
    assert other_area("How do learning reviews get commissioned in Scotland under the national guidance?")
    assert not other_area("The national panel looked at a case in Nottingham. Where are the panel's reviews?")
