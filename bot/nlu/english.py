"""English itself, not the domain: the everyday word list, function words and month names.

The corrector only knows the knowledge base's own words; without the word list it would "correct" a real word
that happens to sit one or two edits from one of them ('leaving' -> 'learning', 'order' -> 'older',
'discussed' -> 'disclosed', 'heard' -> 'head'), changing what a worried practitioner said. The list is
SCOWL's British English (see data/english_words.LICENSE), lower-case words of four letters or more.

Everything else here is grammar (determiners, pronouns, prepositions): words no editor needs to extend.
Domain vocabulary (concern words, review words, other areas…) is knowledge: bot/knowledge/lexicon.yaml.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

WORDS_FILE = Path(__file__).resolve().parent / "data" / "english_words.txt"

STOPWORDS = frozenset(
    """
    a an the of to in on for at by with from and or is are was were be been it its this that these
    those i me my we our you your he she they them their his her do does did can could would should
    will shall please pls hi there any anything some something what which who whom whose when where why
    how about tell give show send get got have has had just also still any more most very really ok
    okay so if not no yes one ones thing stuff ive id youd theyd itll youll theyll
    """.split()
)
ALIAS_STOPWORDS = frozenset(
    """
    the of to in on for with about from by an is are was were be what which my our their its this that
    please pls tell me show give do does did can could
    """.split()
)
"""Words ignored when matching names, so 'the LLR framework' finds 'LLR framework'. Keeps 'a' and 'and'
(Child A, Child C and D)."""
MONTHS = tuple("january february march april may june july august september october november december".split())

OPEN_ENDED = frozenset({"since", "after", "before", "until", "prior", "pre", "post"})
"""'since 2024' is not 'in 2024'."""
SINCE_WORDS = frozenset({"since", "after", "than", "still"})
"""'anything since Child E?', 'newer than': a reference point, not the subject."""
ASKING_WHAT = frozenset({"what", "who", "whats"})  # 'What's the LRSCP? Our school is in Oakham' asks about it
ASKING = frozenset({"you", "u", "please", "pls"})  # 'can you tell me', 'please tell me': a request to the bot
SINGULAR_DETERMINERS = frozenset({"the", "that", "this", "her", "his", "their"})
ONE_CHILD_DETERMINERS = frozenset({"a", "an", "this", "one", "my", "our", "that", "the"})
SPEAKERS_OWN = frozenset({"my", "our"})
"""The speaker's own: 'my pupil', 'our baby' (a child of the speaker's, not a review's), 'our Coventry team'."""
OWN_CHILDREN = frozenset({"my", "his", "her", "their", "these", "those"})
"""Before children, one family's: 'my 2 kids', 'her children' (not 'our kids': a school's or a team's, in general)."""
GENERIC_BEFORE = frozenset({"if", "when", "whenever", "where", "after", "before"})  # 'when a child dies' is any child
MORE_WORDS = frozenset({"etc", "else", "other"})  # 'neglect, DA, what else?': the ones named are examples
EXAMPLE_WORDS = frozenset({"eg", "like", "including", "incl", "beyond", "besides", "except"})
"""'Which themes, eg neglect', 'anything beyond neglect?': the themes after them are examples of the list asked for."""
EXAMPLE_PAIRS = frozenset({("for", "example"), ("such", "as"), ("e", "g"), ("other", "than"), ("apart", "from")})
ABOUT_SOMEONE = frozenset({("about",), ("into",), ("of",), ("on",), ("re",)})  # 'a review about/into X Y'
AGE_UNITS = frozenset({"year", "month", "week", "day"})
"""Words of one child's age ('11 week old', '9 year old'), else of time ('years ago')."""
NAMING = frozenset({"called", "named"})  # 'a child called Jayden'
NEGATORS = frozenset({"no", "not", "none", "nothing", "isnt", "arent", "never", "without"})
NEGATION_REACH = frozenset(
    """
    a an any at in of the these those this that it they them he she child children kid kids baby is are be
    being was immediate immediately imminent current currently real actual particular serious significant
    right now present one saying suggesting
    """.split()
)
"""Words that may stand between a negator and what it negates: 'none of these children are at immediate risk',
'not saying any child is in danger'."""


PEOPLES = frozenset(
    """
    english british scottish irish welsh european american canadian australian african asian caribbean
    jamaican indian pakistani bangladeshi sri lankan nepali chinese vietnamese filipino somali eritrean
    ethiopian sudanese nigerian ghanaian kenyan zimbabwean congolese afghan iranian iraqi syrian kurdish
    turkish arab arabic yemeni polish romanian bulgarian lithuanian latvian estonian slovak czech hungarian
    albanian ukrainian russian portuguese spanish italian french german dutch greek roma romani gujarati punjabi
    urdu hindi bengali tamil sikh hindu muslim jewish christian catholic
    """.split()
)
"""Peoples, languages and faiths, which the list keeps only capitalised: 'Irish reviews', 'English documents'
name no unknown place, and the corrector leaves them as they are."""
CALENDAR = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday christmas easter eid diwali ramadan hanukkah vaisakhi
    """.split()
)
"""Days and feasts, also kept only capitalised: 'before Wednesday's safeguarding meeting' names no place."""


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The word list (with `PEOPLES` and `CALENDAR`), read once per process."""
    return frozenset(WORDS_FILE.read_text(encoding="utf-8").split()) | PEOPLES | CALENDAR
