"""`explain QUESTION`: why the bot answered as it did, step by step, for maintainers and editors chasing a
wrong answer. The pipeline runs once with a trace (the same code path as every answer, so what is shown
is what happened); nothing here decides anything itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.nlu.matcher import Matcher, last_question
from bot.nlu.types import Match, Reading
from bot.service.engine import Engine

TOP = 5
"""How many intents and candidates are shown."""
MODEL_TOP = 3
"""How many of the learned part's classes are shown."""


@dataclass(frozen=True)
class Entity:
    """An entry the question names, where, and whether a corrected typo found it."""

    kind: str
    id: str
    positions: tuple[int, ...]
    words: str
    corrected: bool


@dataclass(frozen=True)
class Explanation:
    """Everything each step of understanding saw and decided for one question, and the reply it led to."""

    question: str
    normalised: tuple[str, ...]
    corrections: tuple[tuple[int, str, str], ...]
    """(position, as typed, corrected to)."""
    tokens: tuple[str, ...]
    entities: tuple[Entity, ...]
    intents: tuple[tuple[str, float, str], ...]
    """(intent, score, the rule or phrasing behind the score), best first."""
    candidates: tuple[tuple[str, float, tuple[str, ...]], ...]
    """(intent, score, entries), best first."""
    steps: tuple[tuple[str, str], ...]
    """(step, what it decided): safety, scope, clarify, decide."""
    match: Match
    model: tuple[tuple[str, float], ...]
    """The learned part's best classes and probabilities for the whole message (empty: no model shipped)."""
    model_match: Match
    """The match after the learned part's say (bot/nlu/combine.py): the rules' own where it had none."""
    reply_kind: str
    reply_intent: str | None
    entries: tuple[str, ...]
    confidence: float


def explain(engine: Engine, question: str) -> Explanation:
    """Run one question through the pipeline with a trace; the reply is the engine's own (`ask`'s), so any
    step after understanding (composing, a learned model at the decision point) shows in its line."""
    snapshot = engine.snapshot()
    matcher: Matcher = snapshot.matcher
    reading = Reading(question, trace=[], why={})
    match = matcher.read(reading)
    decided = matcher.match(question)  # a long message's last question may decide (Matcher.match)
    if decided != match:
        reading.note("long message", f"the last question asked decided: {last_question(question)!r}")
        match = decided
    reply = engine.answer(question)
    model = snapshot.learned.scores(question).ranked[:MODEL_TOP] if snapshot.learned else ()
    tokens = reading.tokens
    why = reading.why or {}
    return Explanation(
        question=question,
        normalised=reading.raw,
        corrections=tuple((i, reading.raw[i], tokens[i]) for i in sorted(reading.corrected)),
        tokens=tokens,
        entities=tuple(
            Entity(
                h.ref.kind,
                h.ref.id,
                tuple(sorted(h.positions)),
                " ".join(tokens[i] for i in sorted(h.positions)),
                h.corrected,
            )
            for h in reading.named
        ),
        intents=tuple(
            (intent, score, source)
            for intent, (score, source) in sorted(why.items(), key=lambda item: (-item[1][0], item[0]))[:TOP]
        ),
        candidates=tuple(
            (c.intent, round(c.score, 1), tuple(h.ref.id for h in c.hits)) for c in reading.candidates[:TOP]
        ),
        steps=tuple(reading.trace or ()),
        match=match,
        model=tuple((label, round(p, 2)) for label, p in model),
        model_match=snapshot.understand(question),
        reply_kind=reply.kind.value,
        reply_intent=reply.intent,
        entries=tuple(reply.entries),
        confidence=round(reply.confidence, 1),
    )


def render(explanation: Explanation) -> str:
    """The explanation as plain text, one step a paragraph."""
    e = explanation
    lines = [f"question:   {e.question}", f"normalised: {' '.join(e.normalised) or '(no words)'}"]
    if e.corrections:
        fixes = ", ".join(f"{typed} -> {fixed} (word {i})" for i, typed, fixed in e.corrections)
        lines.append(f"spelling:   {fixes}")
    else:
        lines.append("spelling:   no corrections")
    lines.append("entities:" + ("" if e.entities else "   none named"))
    for entity in e.entities:
        where = ",".join(str(p) for p in entity.positions) or "-"
        fixed = ", after a correction" if entity.corrected else ""
        lines.append(f"  {entity.kind} {entity.id}: '{entity.words}' at word {where}{fixed}")
    lines.append("intents:" + ("" if e.intents else "    no rule or phrasing matched"))
    for intent, score, source in e.intents:
        lines.append(f"  {intent} {score:g}: {source}")
    for step, what in e.steps:
        lines.append(f"{step + ':':<11} {what}")
    if e.candidates:
        lines.append("candidates:")
        for intent, score, entries in e.candidates:
            lines.append(f"  {intent} {score:g}" + (f" [{', '.join(entries)}]" if entries else ""))
    m = e.match
    choices = f", choices {', '.join(r.id for r in m.choices)}" if m.choices else ""
    lines.append(
        f"understood: {m.kind.value}, intent {m.intent}, entries [{', '.join(r.id for r in m.refs)}], "
        f"confidence {m.confidence:g}{choices}"
    )
    if e.model:
        lines.append("model:      " + ", ".join(f"{label} {p:.2f}" for label, p in e.model))
        said = e.model_match
        if said != m:
            lines.append(
                f"model's say: {m.kind.value} {m.intent} -> {said.kind.value} {said.intent} (bot/nlu/combine.py)"
            )
    lines.append(
        f"reply:      {e.reply_kind}, intent {e.reply_intent}, entries [{', '.join(e.entries)}], "
        f"confidence {e.confidence:g}"
    )
    return "\n".join(lines)
