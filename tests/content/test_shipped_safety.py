"""The shipped rules alone catch harm told of today, whatever the message says after it: the learned model is a
second net, never the only one (a retrain once put such a message under the bar at which it adds the urgent
reply, and the rules had never read it as urgent)."""

from __future__ import annotations

import datetime as dt

import pytest
from kb_builders import SHIPPED_KNOWLEDGE

from bot.kb.loader import load_knowledge
from bot.kb.models import ReplyKind
from bot.kb.visibility import LONDON
from bot.nlu.matcher import Matcher
from bot.service.engine import Engine

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)
TODAY = "A 4 year old came in with a bruise on her face this morning and says dad hit her."


@pytest.fixture(scope="module")
def rules() -> Matcher:
    return Engine(load_knowledge(SHIPPED_KNOWLEDGE), clock=lambda: NOW, learned=False).snapshot(NOW).matcher


@pytest.mark.parametrize(
    "message",
    [
        f"{TODAY} She is safe now at school. Who do I call?",
        f"{TODAY} Looking back, who should I call?",
        f"{TODAY} I reported it straight away. Who else do I call?",
        f"{TODAY} It all got sorted. Which number should I have?",
        f"{TODAY} She is doing really well now. Who do I call?",
        f"{TODAY} It was expected. Who do I call?",
        f"{TODAY} It's all sorted now. Who do I call?",
        f"{TODAY} It has all been dealt with. Who do I call?",
        f"{TODAY} She is home now. Who do I call?",
        f"{TODAY} Her brother went through care proceedings last year. Who do I call?",
        f"{TODAY} Police attended. Who do I call?",
        "She is home now. Her stepdad hit her last night and she has a mark on her face. Who do I call?",
        "Case closed years ago. Her stepdad hit her last night and she has a mark on her face. Who do I call?",
        "On a tenancy inspection this morning we found two toddlers shut in a bedroom with the door tied. No adult "
        "in the flat at all. I've no idea where the parents are.",
        "My neighbour is 82, there are no kids, but a toddler next door screams all night and nobody comes.",
    ],
)
def test_harm_told_of_today_is_urgent_by_the_rules_alone(rules: Matcher, message: str) -> None:
    assert rules.match(message).kind == ReplyKind.URGENT


@pytest.mark.parametrize(
    "message",
    [
        "My 14 year old daughter says a man online wants to meet her tonight, as a mum can I stop her?",
        "my son is 15 and his girlfriend's dad hit him last night, should i let him go back there?",
    ],
)
def test_a_parent_s_own_decision_beside_a_child_at_risk_now_is_urgent(rules: Matcher, message: str) -> None:
    """A parent's choice about their child's freedoms is theirs (a refusal), unless the child is at risk now."""
    assert rules.match(message).kind == ReplyKind.URGENT


@pytest.mark.parametrize(
    "message",
    [
        "concerned about her speech, she has stopped talking altogether since she came back from her dads",
        "worried about my son's sleep, he's been waking up screaming since the weekend at his uncle's",
        "my 2 year old isn't talking yet and I'm worried, his dad left him alone in the flat last night",
        "my daughter is scared of the dark because her stepdad locks her in the cupboard",
    ],
)
def test_an_everyday_worry_beside_harm_or_about_a_child_at_work_is_urgent(rules: Matcher, message: str) -> None:
    """A parent's worry about speech or sleep is no child at risk; told beside harm, or by someone who cares for
    the child at work, it stays one."""
    assert rules.match(message).kind == ReplyKind.URGENT


@pytest.mark.parametrize(
    "message",
    [
        "someone said the little girl next door is being hit by her stepdad",
        "people say the baby at number 4 is left alone all day",
        "someone said a boy in year 8 has a knife and is going to stab someone tonight",
    ],
)
def test_harm_heard_from_someone_else_is_urgent(rules: Matcher, message: str) -> None:
    """'Someone said it's private fostering' tells of no child (synonym `hearsay`); someone saying a child is
    being hurt does."""
    assert rules.match(message).kind == ReplyKind.URGENT
