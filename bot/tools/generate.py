"""Synthetic knowledge for benchmarks: N reviews across many partnerships, deterministic by seed.

A real knowledge base holds tens of reviews; the loader and matcher must stay fast at thousands, with
the same names recurring across partnerships (many have a "Child E"), every publication status present
and embargoes on both sides of the benchmark's moment. Everything generated is marked synthetic: reviews
carry `synthetic: true`, every URL is on synthetic.example.org, partnerships are called "Synthetic …" and
are never home, and summaries say so, so the data can never pass for, or be mixed into, `knowledge/`.

    python -m bot.tools.generate --reviews 5000 --seed 1 OUTDIR
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.kb.loader import DEFAULT_KNOWLEDGE_DIR, knowledge_files

HOST = "https://synthetic.example.org"
PREFIX = "synthetic"
"""File names start with this, so the files are recognisable beside a copy of the real knowledge."""
DEFAULT_ANCHOR = dt.date(2026, 1, 1)
"""The moment embargoes are placed around when none is given: fixed, so output depends on the seed only."""
REVIEW_TYPES = ("lcspr", "scr", "cspr")
SCR_REPLACED = dt.date(2019, 9, 29)
"""Reviews published before partnerships replaced LSCBs are serious case reviews, as in real life."""
FIRST_PUBLISHED = dt.date(2015, 1, 1)

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as a pronoun and a zero
CHILD_NAMES = (
    "Arthur",
    "Star",
    "Jack",
    "Lily",
    "Logan",
    "Olivia",
    "Harry",
    "Amelia",
    "Mason",
    "Isla",
    "Noah",
    "Ava",
    "Leo",
    "Freya",
    "Oscar",
    "Poppy",
    "Alfie",
    "Daisy",
    "Theo",
    "Evie",
    "Riley",
    "Ruby",
    "Jacob",
    "Sophie",
    "Finley",
    "Grace",
    "Kai",
    "Millie",
    "Tyler",
    "Ella",
    "Patricia",
    "Callum",
    "Keanu",
    "Zara",
    "Ryan",
    "Holly",
    "Dylan",
    "Megan",
    "Ethan",
    "Chloe",
    "Aisha",
    "Musa",
    "Fatima",
    "Yusuf",
    "Maya",
    "Kacper",
    "Zofia",
    "Dominik",
    "Ewa",
    "Tom",
)
ADULT_FIRST = (
    "Sarah",
    "David",
    "Helen",
    "Mark",
    "Priya",
    "Andrew",
    "Rachel",
    "Simon",
    "Karen",
    "Paul",
    "Nadia",
    "Chris",
    "Joanne",
    "Imran",
    "Fiona",
    "Gareth",
    "Angela",
    "Rajesh",
    "Louise",
    "Tariq",
)
SURNAMES = (
    "Patel",
    "Smith",
    "Jones",
    "Khan",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Clarke",
    "Shaw",
)
AREA_KINDS = ("Borough", "County", "City", "District")
MAIN_TYPES = (("report", 35), ("briefing", 25), ("learning_briefing", 20), ("improvements_made_briefing", 20))
STATUSES = (("published", 72), ("embargoed-past", 7), ("embargoed-future", 7), ("withheld", 8), ("withdrawn", 6))
TYPE_TITLES = {
    "report": "review report",
    "briefing": "briefing",
    "learning_briefing": "learning briefing",
    "improvements_made_briefing": "Improvements Made Briefing",
    "statement": "statement",
}
TYPE_WORDS = {"lcspr": "LCSPR", "scr": "SCR", "cspr": "CSPR"}


@dataclass(frozen=True)
class Spec:
    """What to generate. Same spec, same bytes: benchmarks compare like with like across runs."""

    reviews: int
    seed: int = 1
    anchor: dt.date = DEFAULT_ANCHOR
    per_partnership: int = 25
    per_file: int = 1000
    themes: tuple[str, ...] = ()
    review_types: tuple[str, ...] = REVIEW_TYPES


@dataclass
class _State:
    """The generator's running state: one RNG and the names each partnership has used so far."""

    rng: random.Random
    spec: Spec
    partnerships: list[dict[str, Any]] = field(default_factory=list)
    used: dict[str, set[str]] = field(default_factory=dict)


def slug(text: str) -> str:
    """An id fragment: lower-case words joined by hyphens ("Child C & D" -> "child-c-and-d")."""
    return "-".join(re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", " and ")).split())


def known_ids(directory: Path = DEFAULT_KNOWLEDGE_DIR) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(theme ids, review-type term ids) of a real knowledge base, so synthetic references resolve."""
    themes: list[str] = []
    terms: set[str] = set()
    for path in knowledge_files(directory):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        themes += [str(t["id"]) for t in data.get("themes", [])]
        terms |= {str(t["id"]) for t in data.get("terms", [])}
    return tuple(themes), tuple(t for t in REVIEW_TYPES if t in terms)


def _weighted(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in table], weights=[weight for _, weight in table])[0]


def _partnership(state: _State, number: int) -> dict[str, Any]:
    """A clearly synthetic partnership, never home, so real reviews keep winning home ties."""
    kind = AREA_KINDS[number % len(AREA_KINDS)]
    area = f"Synthetic {kind} {number}"
    pid = slug(area)
    return {
        "id": pid,
        "name": f"{area} Safeguarding Children Partnership",
        "short_name": f"S{kind[0]}{number}SCP",
        "aliases": [f"{area} partnership", f"{area} safeguarding partnership"],
        "area": area,
        "website": f"{HOST}/{pid}",
        "about": f"A synthetic partnership generated for benchmarks; not a real organisation ({area}).",
        "home": False,
        "sources": [f"{HOST}/{pid}/about"],
        "checked": state.spec.anchor,
    }


def _name(state: _State, partnership: str) -> str:
    """A review name unique within its partnership, drawn so that names recur across partnerships."""
    rng = state.rng
    used = state.used.setdefault(partnership, set())
    while True:
        roll = rng.random()
        if roll < 0.5:
            name = f"Child {rng.choice(LETTERS)}"
        elif roll < 0.65:
            name = f"Baby {rng.choice(LETTERS)}"
        elif roll < 0.9:
            name = rng.choice(CHILD_NAMES)
        else:
            first, second = sorted(rng.sample(LETTERS, 2))
            name = f"Child {first} & {second}"
        if name not in used:
            used.add(name)
            return name


def _aliases(name: str, review_type: str) -> list[str]:
    """How practitioners refer to a review: 'Child E review', 'Child E LCSPR', each child of a pair."""
    word = TYPE_WORDS.get(review_type, review_type.upper())
    aliases = [f"{name} review", f"{name} {word}"]
    if " & " in name:
        first, second = name.removeprefix("Child ").split(" & ")
        aliases += [
            f"Child {first} and {second}",
            f"Children {first} and {second}",
            f"Child {first}",
            f"Child {second}",
        ]
    return aliases


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


def _published(state: _State, doc: dict[str, Any], day: dt.date) -> dict[str, Any]:
    url = f"{HOST}/{doc['id']}"
    published_on = None if state.rng.random() < 0.05 else day  # some sources give no date
    summary = f"Synthetic benchmark document: the {TYPE_TITLES[doc['type']]} of a generated review."
    return doc | {"status": "published", "published_on": published_on, "url": url, "summary": summary}


def _document(
    state: _State, review_id: str, index: int, doc_type: str, status: str, day: dt.date, instead: str | None
) -> dict[str, Any]:
    """One document in the given status; embargoes straddle the anchor so both sides are exercised."""
    rng = state.rng
    doc: dict[str, Any] = {
        "id": f"{review_id}-{index}",
        "type": doc_type,
        "title": f"{TYPE_TITLES[doc_type].capitalize()} (synthetic)",
    }
    if status == "published":
        doc = _published(state, doc, day)
    elif status.startswith("embargoed"):
        offset = rng.randrange(1, 400) * (1 if status == "embargoed-future" else -1)
        moment = dt.datetime.combine(state.spec.anchor + dt.timedelta(days=offset), dt.time(9 + rng.randrange(3)))
        doc |= {
            "status": "embargoed",
            "publish_on": moment,
            "url": f"{HOST}/{doc['id']}",
            "summary": "Synthetic benchmark document under embargo.",
        }
    elif status == "withheld":
        doc |= {
            "status": "withheld",
            "reason": "Synthetic: withheld to protect surviving siblings.",
            "instead": instead,
        }
    else:
        doc |= {"status": "withdrawn"}
        if rng.random() < 0.7:
            doc["reason"] = "Synthetic: withdrawn at the family's request."
    doc |= {"sources": [f"{HOST}/{review_id}"], "checked": state.spec.anchor}
    return doc


def _documents(state: _State, review_id: str, day: dt.date) -> list[dict[str, Any]]:
    """The main document in a drawn status, a published one to read instead when it is withheld, and
    sometimes a second briefing: the mix the answer composer meets in real pages."""
    rng = state.rng
    status = _weighted(rng, STATUSES)
    main_type = _weighted(rng, MAIN_TYPES)
    docs: list[dict[str, Any]] = []
    instead = None
    if status == "withheld":
        docs.append(_document(state, review_id, 2, "learning_briefing", "published", day, None))
        instead = docs[0]["id"]
    docs.insert(0, _document(state, review_id, 1, main_type, status, day, instead))
    if rng.random() < 0.3:
        extra_day = min(day + dt.timedelta(days=rng.randrange(1, 90)), state.spec.anchor)
        docs.append(_document(state, review_id, 3, "briefing", "published", extra_day, None))
    return docs


def _review_type(state: _State, day: dt.date) -> str:
    types = state.spec.review_types
    if day < SCR_REPLACED and "scr" in types:
        return "scr"
    local = [t for t in types if t != "scr"] or list(types)
    return local[0] if state.rng.random() < 0.85 or len(local) == 1 else local[-1]


def _summary(name: str, review_type: str, partnership: str) -> str:
    word = TYPE_WORDS.get(review_type, review_type.upper())
    article = "an" if word[0] in "AEFHILMNORSX" else "a"  # read as letters: "an SCR", "a CSPR"
    who = "two children it refers to as" if " & " in name else "a child it refers to as"
    return f"Synthetic benchmark review: {article} {word} by the {partnership} about {who} {name}. Not a real case."


def _review(state: _State, number: int) -> dict[str, Any]:
    rng = state.rng
    partnership = rng.choice(state.partnerships)
    name = _name(state, partnership["id"])
    review_id = f"syn-{number:05d}-{slug(name)}"
    day = _date(rng, FIRST_PUBLISHED, state.spec.anchor)
    review_type = _review_type(state, day)
    themes = sorted(rng.sample(state.spec.themes, rng.randrange(min(4, len(state.spec.themes) + 1))))
    return {
        "id": review_id,
        "name": name,
        "aliases": _aliases(name, review_type),
        "partnership": partnership["id"],
        "review_type": review_type,
        "themes": themes,
        "summary": _summary(name, review_type, partnership["name"]),
        "documents": _documents(state, review_id, day),
        "synthetic": True,
        "sources": [f"{HOST}/{partnership['id']}/learning-from-reviews"],
        "checked": state.spec.anchor,
    }


def _statement(state: _State, review: dict[str, Any]) -> dict[str, Any]:
    """A chair's statement; some are embargoed themselves, so statement visibility is exercised too."""
    rng = state.rng
    by = f"{rng.choice(ADULT_FIRST)} {rng.choice(SURNAMES)}"
    statement: dict[str, Any] = {
        "id": f"{review['id']}-statement",
        "review": review["id"],
        "by": by,
        "role": "Independent Chair of a synthetic partnership (generated for benchmarks)",
        "summary": f"Synthetic benchmark statement by {by} about the {review['name']} review.",
        "url": f"{HOST}/{review['id']}/statement",
        "sources": [f"{HOST}/{review['id']}/statement"],
        "checked": state.spec.anchor,
    }
    if rng.random() < 0.1:
        days = rng.randrange(1, 200)
        statement["publish_on"] = dt.datetime.combine(state.spec.anchor + dt.timedelta(days=days), dt.time(9))
    return statement


def generate(spec: Spec) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """File name -> knowledge file content: partnerships, reviews in chunks of `per_file`, statements."""
    if not spec.themes or not spec.review_types:
        themes, types = known_ids()
        spec = Spec(
            spec.reviews,
            spec.seed,
            spec.anchor,
            spec.per_partnership,
            spec.per_file,
            spec.themes or themes,
            spec.review_types or types,
        )
    state = _State(random.Random(spec.seed), spec)
    count = max(1, -(-spec.reviews // spec.per_partnership))
    state.partnerships = [_partnership(state, n + 1) for n in range(count)]
    reviews = [_review(state, n + 1) for n in range(spec.reviews)]
    statements = [_statement(state, r) for r in reviews if state.rng.random() < 0.3]
    files: dict[str, dict[str, list[dict[str, Any]]]] = {
        f"{PREFIX}-partnerships.yaml": {"partnerships": state.partnerships},
        f"{PREFIX}-statements.yaml": {"statements": statements},
    }
    for start in range(0, len(reviews), spec.per_file):
        files[f"{PREFIX}-reviews-{start // spec.per_file + 1:03d}.yaml"] = {
            "reviews": reviews[start : start + spec.per_file]
        }
    return files


def _json_value(value: object) -> str:
    """Dates and date-times as ISO text, which the schema reads back."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write(spec: Spec, directory: Path) -> list[Path]:
    """Write the generated files into `directory` (created if needed); return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    header = (
        f"# SYNTHETIC benchmark data from bot/tools/generate.py (seed {spec.seed}, {spec.reviews} reviews,"
        f" anchor {spec.anchor.isoformat()}): not real reviews. Never copy into knowledge/.\n"
    )
    paths = []
    for name, content in generate(spec).items():
        path = directory / name
        # JSON is YAML too, and the loader reads it twenty times faster: machine-written knowledge uses it
        body = json.dumps(content, indent=1, ensure_ascii=False, default=_json_value) + "\n"
        path.write_text(header + body, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tools.generate", description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="directory to write the synthetic YAML files into")
    parser.add_argument("--reviews", type=int, default=1000, help="number of reviews (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--anchor",
        type=dt.date.fromisoformat,
        default=DEFAULT_ANCHOR,
        help=f"date embargoes are placed around (default {DEFAULT_ANCHOR.isoformat()})",
    )
    parser.add_argument(
        "--knowledge",
        type=Path,
        default=DEFAULT_KNOWLEDGE_DIR,
        help="real knowledge base whose theme and term ids to reference",
    )
    args = parser.parse_args(argv)
    if args.outdir.resolve().is_relative_to(DEFAULT_KNOWLEDGE_DIR.resolve()):
        parser.error("refusing to write synthetic data inside knowledge/")
    themes, types = known_ids(args.knowledge)
    paths = write(Spec(args.reviews, args.seed, args.anchor, themes=themes, review_types=types), args.outdir)
    print(f"wrote {len(paths)} files, {args.reviews} synthetic reviews, to {args.outdir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
