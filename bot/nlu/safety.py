"""Safety: is this message a child at risk now? Decided first, before anything else is answered.

`Safety.decide` is the whole decision, on one screen; the helpers below it say what each test reads.
A missed child at risk is the worst error the bot can make, so where a concern and a refusal are equally
sure and a child is named ('baby not fed… help'), the concern wins; a refusal wins only where it is at least as
sure as the concern, no child is named in a tie, and no one child is pointed at.
"""

from __future__ import annotations

import itertools
import re
from typing import NamedTuple

from bot.kb.models import ReplyKind
from bot.nlu.english import (
    AGE_UNITS,
    ASKING,
    GENERIC_BEFORE,
    NAMING,
    NEGATION_REACH,
    NEGATORS,
    ONE_CHILD_DETERMINERS,
    OWN_CHILDREN,
    SPEAKERS_OWN,
)
from bot.nlu.entities import EntityIndex
from bot.nlu.everyday import without_ordinary_worries
from bot.nlu.grown_ups import (
    GROWN_NOW,
    GROWN_TELLERS,
    GROWN_TELLERS_HAVING,
    GROWN_TELLINGS,
    GROWN_WORRIES,
    WORRY_ABOUT,
    YOUNG_KIN,
    grown_people,
    no_child_named,
    old_age,
    worry_about_grown_up,
)
from bot.nlu.intents import Intents
from bot.nlu.lexicon import Lexicon
from bot.nlu.normalise import Tokens, says
from bot.nlu.thresholds import (
    CHILD_AGE_LIMIT,
    FULL_STRENGTH,
    HEDGE_REACH,
    NEVER,
    ONE_CUE,
    SAFE_REACH,
    URGENT_REACH,
)
from bot.nlu.types import Hit

NOT_URGENT = "nonemergency"  # what the synonyms make of 'not urgent', 'non-emergency', 'not an emergency'
NO_CHILDREN = "nochildren"  # what the synonyms make of 'no children involved', 'she has no kids'
SAID_NOT_URGENT = frozenset({NOT_URGENT, NO_CHILDREN})
FOR_REFERENCE = "forreference"  # what they make of 'for my notes', 'for a poster', 'planning ahead'
NO_RULE = "no urgent rule matched"
ONLY_IN_A_NAME = "urgent words only inside a name ('Child E', a theme asked about)"
ORDINARY_WORRY = "a worry about an everyday matter of growing up ('worried about his sleep'), and no harm told"
PRONOUNS = frozenset({"she", "he", "her", "him", "his", "hers", "herself", "himself"})
LEARNING_NEEDS = frozenset({"disability", "difficulty"})
"""After 'learning': a need ('learning disabilities'), not learning asked for."""
URGENCY_NOUNS = frozenset({"risk", "danger", "emergency", "urgent", "concern", "crisis", "worry"})
"""What 'no …' or 'not …' takes back: 'not at immediate risk', 'no concerns right now', 'is not emergency'."""
HEDGES = frozenset(
    {
        "probably",
        "maybe",
        "perhaps",
        "possibly",
        "guess",
        "exactly",
        "such",
        "technically",
        "strictly",
        "think",
        "really",
    }
)
"""Beside 'not urgent', words that make it a doubt: 'not urgent probably but…', 'not an emergency exactly', 'not an
emergency I don't think', 'not urgent really' is no statement of safety."""
SAFE_STATES = frozenset({"safe", "fine", "settled", "well", "ok", "okay"})
SAFE_BEFORE = frozenset({"is", "are", "now", "doing", "recovering", "been"})
"""'baby is safe', 'she is doing well', 'recovering well', 'now settled': a state of safety after these."""
SUPPOSED_ABOUT = frozenset({("about",), ("for",)})
SUPPOSED_REACH = 2
"""How far after 'if I'm worried about' (`FOR_REFERENCE`, `SUPPOSED_ABOUT`) a child is the one supposed."""
SAFE_NOUN_REACH = 6
"""How far before a state of safety the child it is said of may stand."""
SAFE_DENIED = frozenset({"not", "unsafe", "feel", "feels", "still", "yet"})
"""Beside 'safe', words that take it back or say the danger goes on: 'not safe', 'does not feel safe'."""
WORRIED_ONES = frozenset({("i", "am"), ("we", "are")})
"""Between 'not one kid' and 'worried about': who is not worried about one child."""
SUBJECTS = frozenset((word,) for word in ("i", "we", "they", "she", "he", "you"))
"""Before 'do not': a statement ('we do not worry'); without one it is said to the reader ('do not worry, I'm
fine'), which says nothing of the child."""
NO_ONE_IN_PARTICULAR = frozenset({"any", "anyone", "anybody", "particular", "specific"})
"""'Not worried about any one child': a worry denied about anyone in particular (not 'not worried about him')."""
NOT_A_STATE_TAIL = frozenset(
    (word,)
    for word in (
        *("assessment", "assessed", "plan", "factor", "management", "register", "level", "matrix"),
        *("contact", "number", "service", "department", "team", "line", "duty", "worker"),
    )
)
"""After a risk word: a document, a process or a service ('no risk assessment was done', 'none of the emergency
contacts answer'), not a state of the child."""
THERE_PEOPLE = frozenset({"agency", "agencies", "partnership", "council", "people", "services", "team"})
"""Before 'down there': who is in a place ('agencies down there learned'), not a child's body."""
GATHERINGS = frozenset({"group", "groups", "club", "clubs", "clinic", "clinics"})
"""After a child word, where children gather: 'a parent at our toddler group', 'the baby clinic' name no child."""
MEETINGS_AND_PAPERS = frozenset(
    "conference meeting plan procedure review register training course policy process system lead".split()
)
"""After 'child protection', 'child death': a meeting or a paper ('a child protection conference at 2'), no
child. 'A child protection concern' or 'child abuse' may be what is happening: that 'child' stays."""
DEFINITE = frozenset({"the", "that"})
SCHOOL_YEARS = 13
"""Year 1 to year 13: a child's school year ('one of my year 2s')."""
REVIEWS_SAY = frozenset({"say", "said", "says", "tell", "told", "tells"})  # after a review word: what a review says
NUMBER_WORDS = frozenset("two three four five six both".split())
PRESENT = frozenset({"has", "have", "got", "with", "keeps", "is", "are"})
"""Before a concern word, a state now: 'she has a bruise', 'he is scared', 'the baby with a burn'."""
NOW_WINDOW = 3
"""Sentences a story of a child now may span: the child, what happened, and 'I'm sat in the car now'."""
FRAME_REACH = 3
"""Words after a frame within which a word of now is the frame's: 'a case study at INSET today'."""
NOT_ABOUT = frozenset({("not", "about"), ("nothing", "to")})
NOT_ABOUT_REACH = 4
"""Before a learning word, what says it is not asked about: 'not about a case review', 'nothing to do with reviews'."""
LEARNING_PAIRS = frozenset({("anything", "on"), ("anything", "about"), ("out", "there")})  # 'anything on …'


def school_year(token: str) -> bool:
    """'2', '9s', '13': a school year group after 'year'."""
    number = token.removesuffix("s")
    return number.isdigit() and 0 < int(number) <= SCHOOL_YEARS


def sentence_runs(tokens: Tokens, sentence_starts: tuple[int, ...], size: int) -> list[Tokens]:
    """Every run of `size` neighbouring sentences of a long message (none when it was not cut into sentences)."""
    bounds = (*sentence_starts, len(tokens))
    return [tokens[a:b] for a, b in zip(bounds, bounds[size:], strict=False)] if sentence_starts else []


class SafetyDecision(NamedTuple):
    """Whether the urgent reply goes first, how sure, whether a refusal was sure, and why (for `explain`)."""

    urgent: bool
    score: float
    refused: bool
    reason: str
    refusals: dict[str, float]
    """Each refusal's score where its words meet within one sentence (`Safety.refusals`): what the decision
    step may weigh against the answers."""

    def describe(self) -> str:
        return f"{'urgent' if self.urgent else 'not urgent'} ({self.score:g}): {self.reason}"


class Safety:
    """The urgency decision over one view's intents and names."""

    def __init__(self, lexicon: Lexicon, intents: Intents, entities: EntityIndex) -> None:
        self._lex = lexicon
        self._intents = intents
        self._entities = entities
        self._law = tuple(f" {words} " for words in lexicon.law_questions)
        self._child_words = lexicon.child_words - AGE_UNITS  # words of a child, not 'year' of 'year old'
        self._one_child_words = self._child_words - {"children"}  # a child brought into a story
        now = "|".join(re.escape(w) for w in sorted(lexicon.now_words | set(lexicon.last_hours)))
        self._frame_then_now = re.compile(  # 'a case study at inset today': today is the frame's
            rf" (?:{'|'.join(re.escape(f.strip()) for f in lexicon.frames)})(?: \S+){{0,{FRAME_REACH}}}? (?:{now})(?= )"
        )

    def decide(
        self,
        tokens: Tokens,
        named: list[Hit],
        scores: dict[str, float],
        sentence_starts: tuple[int, ...] = (),
        asked: tuple[int, int] | None = None,
        every_sentence: tuple[int, ...] = (),
    ) -> SafetyDecision:
        """Is this message urgent? Urgent rules read over the message with names blanked ('the child of
        Child E' is no child at risk); a story pointing at one child that asks for nothing we hold is a
        concern too; a long story told as background to a question we answer, with nothing in it now, is not;
        a refusal at least as sure as the concern wins (a tie only with no child named), unless one child is
        pointed at; 'not urgent' is never urgent; a message asking for learning (not about one child now) is not
        urgent, unless a life is at risk now. `every_sentence`: where each sentence starts, short messages
        included, for refusals (a request is made in one sentence) and for harm told of the last hours (a frame
        in another sentence, 'It's all sorted now.', does not make it a story)."""
        named_masked = self.masked(tokens, named, asked)
        # 'should I be worried about autism?': a worry about an ordinary matter of growing up tells of no harm
        masked = without_ordinary_worries(named_masked, self._lex, every_sentence or sentence_starts)
        urgency = self.urgency(tokens, masked, scores, sentence_starts)
        unread = ORDINARY_WORRY if masked is not named_masked else ONLY_IN_A_NAME  # why the urgent words did not count
        reason = "an urgent rule matched" if urgency else NO_RULE if "urgent" not in scores else unread
        asking = self._intents.scores(tokens[asked[0] : asked[1]])[0] if asked else scores
        if urgency < ONE_CUE:
            windows = tuple(  # one to three neighbouring sentences of a long message, none naming our reviews
                window
                for size in range(1, NOW_WINDOW + 1)
                for window in sentence_runs(masked, sentence_starts, size)
                if "" not in window
            )
            if self.tells_of_a_child(masked, asking, windows):
                urgency, reason = ONE_CUE, "tells of one child, with a concern word, and asks for nothing we hold"
        elif asked and self.background(masked, asking, sentence_starts, asked):
            urgency, reason = 0.0, "a story told as background, with no child now in it, to a question we answer"
        refusals = self.refusals(tokens, scores, every_sentence or sentence_starts)
        refusal = max(refusals.values(), default=0.0)
        refused = refusal >= FULL_STRENGTH
        surer = refusal > urgency or (refusal == urgency and not self._lex.child_nouns.intersection(masked))
        colleague = self.about_a_colleague(tokens)
        told_of = masked if colleague else tokens  # a colleague's 'her' points at no child
        if refused and surer and not any(t in self._lex.one_child for t in told_of):
            urgency, reason = 0.0, "a refusal at least as sure as any concern"  # 'the real name of the child in …'
        # (a concern stated more surely than the refusal stays urgent: a missed child at risk is the worst error)
        harmed_lately = self.harmed_lately(masked, every_sentence or sentence_starts)
        life_at_risk = self.life_at_risk_now(tokens)
        said_not_urgent = (
            self.writer_says_not_urgent(tokens)
            or self.grown_ups_only(tokens)  # 'a resident in her eighties has unexplained bruising': no child
            # 'my colleague's referral was really thin… the child's been seen and is fine': her practice is asked about
            or (colleague and self.said_safe(tokens))
            or (  # 'for my notes', unless a child now is told too
                FOR_REFERENCE in tokens
                and not self.child_now(masked)
                and not self.one_child_and_a_concern(self.without_supposed_child(masked), sentence_starts)
            )
        ) and not (life_at_risk or harmed_lately)  # `urgent_whatever_said`
        framed = self.framed(tokens, scores) and not harmed_lately
        needed = NEVER if said_not_urgent or framed else ONE_CUE  # 'not urgent', 'scenario:'
        if urgency >= needed and (
            life_at_risk  # 'he'll kill em… I do safeguarding training': a life at risk first
            or harmed_lately  # '…for a training session, but something's just happened: a lad has a black eye
            or not self.asks_for_learning(masked, scores, named)
            # a child brought into the story with a concern, whatever the message goes on to ask
            or (asked is not None and self.one_child_and_a_concern(masked, sentence_starts, asked, pronouns=False))
        ):
            return SafetyDecision(True, urgency, refused, reason, refusals)
        if urgency >= ONE_CUE:
            reason = (
                "said not urgent"
                if said_not_urgent
                else "a scenario, a case study, a closed case or a child said to be safe: no child at risk now"
                if framed
                else "asks for learning, about no child now"
            )
        return SafetyDecision(False, urgency, refused, reason, refusals)

    # ----- what each test reads -------------------------------------------------------------------
    def writer_says_not_urgent(self, tokens: Tokens) -> bool:
        """`said_not_urgent`, where 'no children involved' counts only if no child is told of after it."""
        return self.said_not_urgent(self._without_no_children_before_a_child(tokens))

    def _without_no_children_before_a_child(self, tokens: Tokens) -> Tokens:
        """The words without 'no children involved' where a child is told of after it: 'no kids live there, but
        a toddler next door screams all night' says no child is at risk in one home, not in the story. A child
        told before it is the one it speaks of ('the lad upstairs is 19… no kids in the building', 'abused as a
        child… no children involved now')."""
        if NO_CHILDREN not in tokens:
            return tokens
        after = tokens[tokens.index(NO_CHILDREN) + 1 :]
        if not (self._lex.child_nouns - grown_people(tokens)).intersection(after):
            return tokens
        return tuple(t for t in tokens if t != NO_CHILDREN)

    @staticmethod
    def said_not_urgent(tokens: Tokens) -> bool:
        """'Not urgent', 'is not emergency', 'none of these children are at immediate risk', 'no concerns right
        now', 'not worried about any one baby today': the writer says no child is at risk now. Not 'not sure if
        it is urgent' (a doubt), nor 'no risk assessment was done' (a document missing)."""
        said = [i for i, t in enumerate(tokens) if t in SAID_NOT_URGENT]
        if any(not HEDGES.intersection(tokens[max(0, i - 2) : i + HEDGE_REACH + 1]) for i in said):
            return True  # not 'not urgent probably but… she has a bruise': a doubt, not a statement
        for i, token in enumerate(tokens):
            if token not in NEGATORS or (tokens[i - 1 : i] == ("do",) and tokens[i - 2 : i - 1] not in SUBJECTS):
                continue
            j = i + 1
            while j < len(tokens) and tokens[j] in NEGATION_REACH:
                j += 1
            if j < len(tokens) and tokens[j] in URGENCY_NOUNS and tokens[j + 1 : j + 2] not in NOT_A_STATE_TAIL:
                return True
            if tokens[j : j + 2] in WORRY_ABOUT and NO_ONE_IN_PARTICULAR.intersection(tokens[j + 2 : j + 4]):
                return True  # 'not worried about any one baby today', 'not concerned about anyone in particular'
            if tokens[j : j + 2] in WORRIED_ONES and tokens[j + 2 : j + 4] in WORRY_ABOUT:
                return True  # 'it's not one kid I'm worried about today, it's the pattern'
        return False

    def life_at_risk_now(self, tokens: Tokens) -> bool:
        """A threat to life told now or in the last hours ('going to finish it tonight', 'has just taken an
        overdose'): no 'not urgent' said beside it makes it so (the `life-threats` list)."""
        return says(tokens, self._lex.life_threats) and bool(
            self._lex.now_words.intersection(tokens) or self.lately(tokens)
        )

    def harmed_lately(self, masked: Tokens, sentence_starts: tuple[int, ...] = ()) -> bool:
        """A sentence (or two neighbouring ones: 'a little lad in my class. He told me today that dad hurts him')
        naming one child, with an urgent rule's words and a time of the last hours (`last-hours`),
        that does not itself say no child is at risk ('not worried about any one baby today'), nor frame it as
        training or the past: 'not urgent but… a 7 year old in my class said his mum's partner shut him in the
        shed all night last night'; 'I was going to ask about neglect for a training session, but something's
        just happened. A little lad has come in with a black eye'. A frame elsewhere in the message does not
        make the harm of the last hours a story."""
        sentences = [*sentence_runs(masked, sentence_starts, 1), *sentence_runs(masked, sentence_starts, 2)] or [masked]
        return any(
            says(sentence, self._lex.last_hours)
            and self.names_one_child(sentence)
            # 'not worried about any one baby today' said in the sentence itself (a bare 'not urgent' is not enough)
            and not self.said_not_urgent(tuple(t for t in sentence if t not in SAID_NOT_URGENT))
            and not says(sentence, self._lex.frames)
            and self.urgent_near(sentence)
            for sentence in sentences
        )

    def urgent_whatever_said(self, tokens: Tokens, masked: Tokens, sentence_starts: tuple[int, ...] = ()) -> bool:
        """A life at risk now, or harm to one child told of the last hours: urgent even beside 'not urgent'."""
        return self.life_at_risk_now(tokens) or self.harmed_lately(masked, sentence_starts)

    def said_safe(self, tokens: Tokens) -> bool:
        """'She is safe in foster care now', 'the children are safe with their nan', 'baby's doing well',
        'the girl is settled with us': the child of the story is safe, and no one else is said to be at risk now.
        Not 'he does not feel safe', 'she is not safe', nor 'is she safe?' asked."""
        nouns = self._lex.child_nouns | {"children", "she", "he", "they"}
        safe = [
            i
            for i in range(2, len(tokens))
            if tokens[i] in SAFE_STATES
            and tokens[i - 1] in SAFE_BEFORE
            and nouns.intersection(tokens[max(0, i - SAFE_NOUN_REACH) : i - 1])  # 'the kids live with her now, safe'
            and not SAFE_DENIED.intersection(tokens[i - 4 : i + 2])
        ]
        elsewhere_now = self._lex.now_words.intersection(
            t for i, t in enumerate(tokens) if not any(abs(i - j) <= SAFE_REACH for j in safe)
        )
        return bool(safe) and not elsewhere_now

    def framed(self, tokens: Tokens, scores: dict[str, float]) -> bool:
        """'Training scenario: a baby is found with a fractured skull… what learning applies?', 'a case closed years
        ago… how do they decide on a review?': a story set in training, study or the past, or already in the
        agencies' hands ('social care already know', `handled`), with no word of now, that asks for something we
        hold; so is a story whose child is said to be safe now ('she is safe in foster care now… what is a rapid
        review?'). A framed story that asks for nothing ('role play turned real: a
        delegate says her niece is being abused') stays a concern."""
        sentence = f" {' '.join(tokens)} "
        now = sentence.replace(" am now a ", " am a ")  # 'I'm now a team manager': the speaker's role
        now = self._frame_then_now.sub(" ", now)  # 'it's closed now', 'the inset case study today'
        now = GROWN_NOW.sub(" ", now)  # 'I'm 40 now': the writer's age, no time of harm
        for frame in self._lex.frames:
            now = now.replace(frame, " ")
        left = tuple(now.split())  # the words no frame, nor the writer's age, accounts for
        told_now = self._lex.now_words.intersection(left) or says(left, self._lex.last_hours)
        in_the_past = not told_now and (says(tokens, self._lex.frames) or self.handled(tokens))
        if not in_the_past and not self.said_safe(tokens):
            return False
        # '…the police are with the children now. Thank you': thanks for help already given is no new concern
        thanked = scores.get("thanks", 0.0) >= ONE_CUE
        return self.mentions_learning(tokens) or self.asks_for_an_answer(scores) or thanked

    def masked(self, tokens: Tokens, hits: list[Hit], asked: tuple[int, int] | None = None) -> Tokens:
        """The question with review names blanked: the 'child' of 'Child E' or the 'baby' of the baby's review is
        not a child at risk. In a question that asks for learning, a theme's name is a name too: 'my daughter is
        always on her phone, anything from reviews about online harm?' describes no harm; in a long message, only
        where it is asked (`asked`): 'no food in the house since Saturday' told in the story stays a concern."""
        lex = self._lex
        named_kinds = {"review", "theme"} if self.mentions_learning(tokens) else {"review"}
        now = bool(lex.now_words.intersection(tokens)) or says(tokens, lex.last_hours)  # 'bailed this morning'
        start, end = asked or (0, len(tokens))
        # 'two children' (an alias of Child C & D) names the review only where reviews are spoken of and nothing
        # is told of now: not 'today… two kids under 5', nor 'found two kids in the park at 10pm, locked out'
        plain_names = now or not (lex.generic_review_words.intersection(tokens) or self.mentions_learning(tokens))
        named = {
            i
            for h in hits
            if h.ref.kind in named_kinds
            and not (plain_names and all(self._is_child_word(tokens[j]) for j in h.positions))
            and (h.ref.kind != "theme" or all(start <= j < end for j in h.positions))  # asked about, not told
            for i in h.positions
        }
        named |= {  # 'Child H', 'Baby Q': any review's name, ours or another area's
            j for i in range(len(tokens) - 1) if self._entities.letter_name_at(tokens, i) for j in (i, i + 1)
        }
        named |= {  # 'a child called Patricia' is the review's child, named
            j
            for i in list(named)
            if i > 1 and tokens[i - 1] in NAMING and tokens[i - 2] in lex.child_words
            for j in (i - 2, i - 1)
        }
        named |= {  # 'a child protection conference at 2', 'the child death review': no child at risk
            i
            for i in range(len(tokens) - 2)
            if tokens[i] == "child" and tokens[i + 1] in lex.child_compounds and tokens[i + 2] in MEETINGS_AND_PAPERS
        }
        named |= {  # 'the child abuse investigation unit', 'the children and family service': a team, not a child
            i
            for i in range(len(tokens) - 2)
            if tokens[i] in {"child", "children"}
            and (tokens[i + 1] in lex.child_compounds or tokens[i + 1] == "and")
            and lex.unit_words.intersection(tokens[i + 2 : i + 4])
        }
        if any(h.ref.kind == "review" for h in hits) and not (
            lex.now_words.intersection(tokens)
            or any(
                t in SPEAKERS_OWN and lex.child_words.intersection(tokens[i + 1 : i + 3]) for i, t in enumerate(tokens)
            )
        ):  # 'was Patricia abused? what was her review about': she is the review's child, no child at risk now
            named |= {i for i, t in enumerate(tokens) if t in PRONOUNS}
            named |= {  # 'the girl', and 'it was about a baby with bruising': the review's child
                j
                for i in range(len(tokens) - 1)
                if tokens[i + 1] in lex.child_nouns
                and (tokens[i] == "the" or (tokens[i] in {"a", "an"} and tokens[i - 1 : i] == ("about",)))
                for j in (i, i + 1)
            }
        if self.about_adults(tokens) or self.about_a_colleague(tokens):  # 'she is 34…': 'she' is the grown-up
            named |= {i for i, t in enumerate(tokens) if t in PRONOUNS}
        named |= {  # 'what do reviews say about teenagers…': the reviews speak, no child telling anyone anything
            i
            for i in range(1, len(tokens))
            if tokens[i] in REVIEWS_SAY
            and (tokens[i - 1] in lex.generic_review_words or tokens[i - 1] in lex.learning_words)
        }
        named |= {  # 'can you tell me about…' asks the bot; it is no child telling anyone anything
            i
            for i in range(len(tokens) - 2)
            if tokens[i] == "tell" and tokens[i + 1] == "me" and (tokens[i + 2] == "about" or tokens[i - 1] in ASKING)
        }
        named |= {  # 'my manager told me to…', 'mum has told us she left', 'my mum says…': a grown-up's telling
            i
            for i in range(1, len(tokens))
            if tokens[i] in GROWN_TELLINGS
            and (tokens[i - 1] in GROWN_TELLERS or tokens[max(0, i - 2) : i] in GROWN_TELLERS_HAVING)
        }
        named |= {i for i in range(len(tokens)) if worry_about_grown_up(tokens, i)}
        named |= {  # 'a review down there', 'what agencies down there learned': a place far off
            j
            for i in range(1, len(tokens) - 1)
            if tokens[i : i + 2] == ("down", "there")
            and (tokens[i - 1] in THERE_PEOPLE or tokens[i - 1] in lex.generic_review_words)
            for j in (i, i + 1)
        }
        named |= {  # 'our toddler group', 'the baby clinic': a place, not a child
            i for i in range(len(tokens) - 1) if tokens[i] in lex.child_words and tokens[i + 1] in GATHERINGS
        }
        return tuple("" if i in named else t for i, t in enumerate(tokens)) if named else tokens

    def urgency(
        self, tokens: Tokens, masked: Tokens, scores: dict[str, float], sentence_starts: tuple[int, ...] = ()
    ) -> float:
        """The urgent score of the question with its names blanked. In a long message an urgent rule's words
        must meet within a few words (`URGENT_REACH`) and within two neighbouring sentences: 'the girl who
        shares the name' in one and 'told her' three sentences on are chance, where 'he came in with a bruise.
        He said dad did it.' is not. This only lowers the score of the whole; a child at risk told across a story
        is still caught by `tells_of_a_child`."""
        if "urgent" not in scores:
            return 0.0
        if not sentence_starts:  # a short message: its words, read whole
            return scores["urgent"] if masked is tokens else self._intents.scores(masked)[0].get("urgent", 0.0)
        near = self.urgent_near(masked)
        if len(sentence_starts) < 3 or not near:
            return near
        return min(near, max(self.urgent_near(window) for window in sentence_runs(masked, sentence_starts, 2)))

    def urgent_near(self, tokens: Tokens) -> float:
        """The urgent score with every rule's words within `URGENT_REACH` of each other."""
        return self._intents.scores(tokens, reach=URGENT_REACH)[0].get("urgent", 0.0)

    def refusals(
        self, tokens: Tokens, scores: dict[str, float], sentence_starts: tuple[int, ...] = ()
    ) -> dict[str, float]:
        """How sure each refusal is (a child's real name, an essay to check, a hotel to book). In a long
        message, a refusal's words must meet within one sentence (a request is made in one): 'she's writing an
        essay… the Patricia review… I'd rather check than answer her wrongly' asks nothing refused, nor does
        'asked to do a 10 minute slot… Can you list the reviews?'."""
        kind = self._intents.kind
        found = {intent: score for intent, score in scores.items() if kind(intent) == ReplyKind.FALLBACK}
        if len(sentence_starts) < 2 or not found:
            return found
        sentences = [self._intents.scores(sentence)[0] for sentence in sentence_runs(tokens, sentence_starts, 1)]
        within = {intent: min(score, max(s.get(intent, 0.0) for s in sentences)) for intent, score in found.items()}
        return {intent: score for intent, score in within.items() if score}

    def tells_of_a_child(self, tokens: Tokens, scores: dict[str, float], windows: tuple[Tokens, ...] = ()) -> bool:
        """'my grandson (7) says his mum's boyfriend locks him in the bathroom': one child pointed at, in a
        message that asks for nothing the bot holds (no review, theme, term, process or list asked at full
        strength); or, in a long message, one whose story tells of a child now (a concern, one child and a word
        of now within one to three neighbouring sentences that name none of our reviews, `windows`), whatever
        it goes on to ask: '…the baby SCR briefing… But tonight we've got a 2 week old in with a torn
        frenulum'. People describe harm in more ways than rules can list; pointing at a child is the constant.
        `scores` are those of what is asked: in a long message, the sentence it asks in ('a member of staff' in the
        story asks nothing about the partnership's members)."""
        lex = self._lex
        if not any(t in lex.concern_words for t in tokens) or not (
            self.points_at_one_child(tokens) or self.children_now(tokens)
        ):
            return False  # most questions stop here: the checks below are the dearer ones
        if any(self.tells_now(window) for window in windows):
            return True  # 'a lad in my class said this afternoon… no food since Saturday… any review on neglect?'
        if self.mentions_learning(tokens) or any(t in lex.case_words for t in tokens):
            return False  # about reviews or learning
        kind = self._intents.kind
        if any(
            (score >= FULL_STRENGTH and intent not in {"urgent", "contacts"} and kind(intent) != ReplyKind.CHAT)
            or (score >= ONE_CUE and kind(intent) == ReplyKind.FALLBACK)
            for intent, score in scores.items()
        ):
            return False  # asks for something the bot holds, or something it refuses
        following = (*tokens[1:], "")
        return any(  # a child in the story: not 'Child F', 'child protection procedures', 'the child review'
            t in lex.child_words and not (len(after) == 1 and after.isalpha()) and after not in lex.child_compounds
            for t, after in zip(tokens, following, strict=True)
        )

    def background(
        self, masked: Tokens, asking: dict[str, float], sentence_starts: tuple[int, ...], asked: tuple[int, int]
    ) -> bool:
        """A long message whose story is background to what it asks: '…families who believe a child's behaviour
        is caused by spirits… What has the learning from reviews said about culture and faith?'. Its urgent words
        are in the story, none in the sentence that asks; that sentence asks for something we answer (not whom to
        call); and nothing in it is now: no word of now or of the last hours ('this morning', '40 minutes ago'),
        no concern told as a state ('she has a bruise', 'he is scared'), no sentence telling of one child and a
        concern together ('a girl in my class says her stepdad hits her'). Any of those keeps it urgent."""
        lex = self._lex
        if lex.now_words.intersection(masked) or self.lately(masked):
            return False
        if any(t in PRESENT and lex.concern_words.intersection(masked[i + 1 : i + 4]) for i, t in enumerate(masked)):
            return False
        if self.one_child_and_a_concern(masked, sentence_starts):
            return False
        if asking.get("contacts", 0.0) >= FULL_STRENGTH or self.urgent_near(masked[asked[0] : asked[1]]):
            return False
        kind = self._intents.kind
        return any(score >= FULL_STRENGTH and kind(intent) == ReplyKind.ANSWER for intent, score in asking.items())

    def lately(self, tokens: Tokens) -> bool:
        """Something told as happening in the last hours or days: 'this morning', 'since yesterday', 'still'."""
        return says(tokens, self._lex.recent_phrases)

    def handled(self, tokens: Tokens) -> bool:
        """'Social care already know', 'it is being handled': a worry already in the agencies' hands, and
        nothing in the story told as happening in the last hours or days (`lately`)."""
        return says(tokens, self._lex.handled_phrases) and not self.lately(tokens)

    def one_child_and_a_concern(
        self,
        masked: Tokens,
        sentence_starts: tuple[int, ...],
        asked: tuple[int, int] | None = None,
        pronouns: bool = True,
    ) -> bool:
        """A sentence of a long message telling of one child and a concern together (a concern word, or an
        urgent rule's words): 'a girl in my class says her stepdad hits her', 'a lad turned up with a black eye',
        'I saw a toddler in just a nappy wandering along the A6 on his own'. With `asked`, in the story only:
        not the sentence that asks ('how long from a child being hurt to a review?'). Without `pronouns`, only a
        child named as one ('a toddler', 'my 9 year old'): 'she signs the plan' may be the mother."""
        pointed = self.points_at_one_child if pronouns else self.names_one_child
        return any(
            pointed(sentence) and (self._lex.concern_words.intersection(sentence) or self.urgent_near(sentence))
            for start, sentence in zip(sentence_starts, sentence_runs(masked, sentence_starts, 1), strict=False)
            if asked is None or start != asked[0]
        )

    def _is_child_word(self, token: str) -> bool:
        """'two', 'children', '5': words that can only describe children, never name a review on their own."""
        return token in self._lex.child_words or token in NUMBER_WORDS or token.isdigit()

    def without_supposed_child(self, tokens: Tokens) -> Tokens:
        """The words with a child supposed rather than told of blanked: 'if I'm worried about a child out of
        hours, who do I phone?' (written 'forreference about a child') tells of no child; 'for my notes: a toddler
        was left alone' does."""
        supposed = {
            j
            for i, t in enumerate(tokens)
            if t == FOR_REFERENCE and tokens[i + 1 : i + 2] in SUPPOSED_ABOUT
            for j in range(i + 2, min(len(tokens), i + 2 + SUPPOSED_REACH))
            if tokens[j] in self._lex.child_nouns
        }
        return tuple("" if i in supposed else t for i, t in enumerate(tokens)) if supposed else tokens

    def child_now(self, tokens: Tokens) -> bool:
        """A concern, one child pointed at and a word of now, together: 'on patrol tonight an older bloke was
        putting a girl of about 13 into his car'."""
        lex = self._lex
        return bool(
            lex.now_words.intersection(tokens)
            and lex.concern_words.intersection(tokens)
            and self.points_at_one_child(tokens)
        )

    def tells_now(self, tokens: Tokens) -> bool:
        """A child now (`child_now`) in a part of a story that asks for no learning."""
        return self.child_now(tokens) and not self.mentions_learning(tokens)

    def asks_for_learning(self, tokens: Tokens, scores: dict[str, float], hits: list[Hit]) -> bool:
        """'Anything on online harm, kids being hurt via social media?' or 'kids being groomed online - any
        learning from case reviews?' ask for learning; a concern about a child now points at one child ('a
        girl in my class', 'she', 'him'). Any urgent rule stronger than one cue word wins over a theme alone."""
        lex = self._lex
        if (
            lex.now_words.intersection(tokens)
            and lex.concern_words.intersection(tokens)
            and self.points_at_one_child(tokens)
        ):
            return False  # 'a baby in my care … is in danger now. What happens in a rapid review?': a child now
        if scores.get("how_reviews_work", 0.0) >= FULL_STRENGTH and (
            # 'who decides on a review when a child is seriously hurt?', 'what happens after a child is hurt?'
            any(t in lex.process_words for t in tokens)
            or (self.any_child(tokens) and not self.points_at_one_child(tokens))
        ):
            return True  # asks about the process
        if says(tokens, self._law) and not any(t in lex.one_child for t in tokens):
            return True  # 'is it legal to smack a child?' asks what the law says, about no child in particular
        if any(t in lex.now_words for t in tokens):
            return False  # 'reading the Patricia briefing... dad is back in the house tonight': happening now
        if self.points_at_one_child(tokens):
            return False
        return (
            self.mentions_learning(tokens)
            or (any(h.ref.kind == "review" for h in hits) and self.asks_for_an_answer(scores))  # 'the baby SCR,
            # what did it find?'
            or ("theme" in scores and any(h.ref.kind == "theme" for h in hits) and scores.get("urgent", 0.0) <= ONE_CUE)
        )

    def asks_for_an_answer(self, scores: dict[str, float]) -> bool:
        """Some answer we hold is asked for at full strength ('what did the review find')."""
        kind = self._intents.kind
        return any(
            score >= FULL_STRENGTH and intent != "urgent" and kind(intent) == ReplyKind.ANSWER
            for intent, score in scores.items()
        )

    def any_child(self, tokens: Tokens) -> bool:
        """'When a child dies', 'if a child discloses': children in general, as rules and processes speak of them."""
        nouns = self._lex.child_nouns
        return any(
            a in GENERIC_BEFORE and b in {"a", "an"} and c in nouns
            for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False)
        )

    def children_now(self, tokens: Tokens) -> bool:
        """'Mum has a knife, children are in the house now': children in a situation now, not 'when children…'."""
        return bool(self._lex.now_words.intersection(tokens)) and any(
            t == "children" and (i == 0 or tokens[i - 1] not in GENERIC_BEFORE) for i, t in enumerate(tokens)
        )

    def points_at_one_child(self, tokens: Tokens) -> bool:
        """'she', 'him', 'a girl', 'girl 14', 'my 9 year old', 'an 11 week old': one child, not children in
        general ('when a child dies', 'if a child discloses')."""
        one_child, nouns = self._lex.one_child, self._lex.child_nouns
        return (
            any(t in one_child for t in tokens)
            or any(
                (
                    tokens[i] in ONE_CHILD_DETERMINERS
                    and any(t in nouns for t in tokens[i + 1 : i + 3])
                    and not (tokens[i] == "a" and i > 0 and tokens[i - 1] in GENERIC_BEFORE)
                )
                or (tokens[i] in OWN_CHILDREN and "children" in tokens[i + 1 : i + 3])  # 'my 2 kids', 'her children'
                or (  # 'two (young) kids', 'two toddlers'
                    tokens[i] in NUMBER_WORDS and any(t == "children" or t in nouns for t in tokens[i + 1 : i + 3])
                )
                for i in range(len(tokens))
            )
            or any(
                a.isdigit() and b in AGE_UNITS and c == "old"
                for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False)
            )
            or any(a in nouns and b.isdigit() and int(b) < CHILD_AGE_LIMIT for a, b in itertools.pairwise(tokens))
            or any(  # 'one of my year 2s', 'a year 9 in my form': a child of a school year
                tokens[i] == "year" and school_year(tokens[i + 1]) and tokens[i - 1] in ONE_CHILD_DETERMINERS
                for i in range(1, len(tokens) - 1)
            )
        )

    def about_adults(self, tokens: Tokens) -> bool:
        """A grown-up's age is given ('a 19 year old care leaver', 'she is 34'), no child is brought into the
        story and no life is at risk now: its 'she' and 'him' are adults, for whom the urgent reply's children's
        duty numbers are not."""
        return self._about_adults(tokens, grown_people(tokens), no_child_named(tokens))

    def _about_adults(self, tokens: Tokens, grown: frozenset[str], plain: Tokens) -> bool:
        """`about_adults`, given the grown-ups told (`grown_people`) and the words that may name a child
        (`no_child_named`)."""
        aged = (
            bool(grown)
            or old_age(tokens)
            or any(
                (a.isdigit() and b == "adult")
                or (a in PRONOUNS and b in {"is", "was"} and c.isdigit() and int(c) >= CHILD_AGE_LIMIT)
                or (a in {"is", "was"} and b.isdigit() and int(b) >= CHILD_AGE_LIMIT and c == "now")  # 'is 19 now'
                for a, b, c in zip(tokens, (*tokens[1:], ""), (*tokens[2:], "", ""), strict=False)
            )
        )
        told = tuple(t for t in plain if t not in grown)  # 'my son is 30': that son is no child
        return (
            aged
            # 'year 9 girl… he is 19': she is the child; 'an elderly patient… the grandchild living there (about 4)'
            and not self._one_child_words.intersection(told)
            and not YOUNG_KIN.intersection(itertools.pairwise(tokens))  # 'her little brother says…'
            and not self.points_at_one_child(tuple(t for t in told if t not in PRONOUNS))
            and not self.children_now(plain)
            and not self.life_at_risk_now(tokens)  # a life at risk now is urgent at any age
        )

    def about_a_colleague(self, tokens: Tokens) -> bool:
        """The story's first person is a grown-up at work, before any pronoun, and no child word is in it, or the
        child told of is said to be safe ('my colleague's referral… she missed loads out. The child's been seen
        and is fine')."""
        first = next((t for t in tokens if t in GROWN_WORRIES or t in PRONOUNS), None)
        return first in GROWN_WORRIES and (not self._child_words.intersection(tokens) or self.said_safe(tokens))

    def grown_ups_only(self, tokens: Tokens) -> bool:
        """`about_adults`, with no other word of children at all ('her kids are 4 and 6' brings children in)."""
        grown, plain = grown_people(tokens), no_child_named(tokens)
        children = self._child_words - grown
        return self._about_adults(tokens, grown, plain) and not children.intersection(plain)

    def grown_ups_asking_no_learning(self, tokens: Tokens) -> bool:
        """A story of grown-ups only ('my son is 30', 'no children involved') that asks for no learning: a theme
        or a children's duty team read in it is an adult's worry, which adult safeguarding answers, not the
        reviews of children."""
        return (NO_CHILDREN in tokens or self.grown_ups_only(tokens)) and not self.mentions_learning(tokens)

    def names_one_child(self, tokens: Tokens) -> bool:
        """`points_at_one_child` by a child brought into the story ('a toddler', 'my 9 year old'), not a pronoun
        ('she signs the plan' may be the mother) nor 'the child' (often the child of a case or a review)."""
        one_child = self._lex.one_child
        return self.points_at_one_child(tuple("" if t in one_child or t in DEFINITE else t for t in tokens))

    def mentions_learning(self, tokens: Tokens) -> bool:
        """A learning word ('briefing', 'lessons') or 'anything on/about …'; not one said not to be asked about
        ('this isn't about a case review, sorry. Toddler… on the window ledge')."""
        asked = (
            t
            for i, (t, after) in enumerate(zip(tokens, (*tokens[1:], ""), strict=True))
            if after not in LEARNING_NEEDS
            and not NOT_ABOUT.intersection(itertools.pairwise(tokens[max(0, i - NOT_ABOUT_REACH) : i]))
        )
        return any(t in self._lex.learning_words for t in asked) or any(
            pair in LEARNING_PAIRS for pair in itertools.pairwise(tokens)
        )
