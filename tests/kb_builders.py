"""Builders for test knowledge bases: a copy of the frozen fixture knowledge plus YAML that exercises publication
rules.

Code tests read `FIXTURE_KNOWLEDGE` (tests/fixtures/knowledge/), never the shipped `bot/knowledge/`, so an editor
adding a review breaks no code test; only tests/content/ reads `SHIPPED_KNOWLEDGE`. Nothing here edits either
directory: everything is copied into a temporary directory first. The added entries use
distinctive words (Zanzibar, Quillfeather, Vorticella, Marchbanks…) so that a leak can be detected by plain
text search, and so that no real entry can contain them by accident.

The scenario (`add_embargo_scenario`):

* **Child Z** (`child-z`): a review whose only document is embargoed until 2030-01-01T09:00 (winter, GMT),
  tagged with the `neglect` theme; a foreword statement without its own `publish_on` (hidden only because
  the review is) and a statement embargoed until 2030-02-01T09:00.
* **Child Y** (`child-y`): a visible review with a published briefing, an embargoed report beside it until
  2030-07-01T09:00 (summer, BST), a withdrawn briefing, and a statement embargoed until 2030-04-15T12:00.
* The fixture knowledge already holds a withheld document (the baby serious case review report).
"""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.kb.loader import DEFAULT_KNOWLEDGE_DIR, load_knowledge
from bot.kb.models import KnowledgeBase

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC

FIXTURE_KNOWLEDGE = Path(__file__).resolve().parent / "fixtures" / "knowledge"
"""The knowledge every code test reads: the shipped files as they were on 2026-12-06, frozen (its README says
when it may change)."""
SHIPPED_KNOWLEDGE = DEFAULT_KNOWLEDGE_DIR
"""The knowledge the package ships: read only by the tests about it (tests/content/)."""

# ----- the embargo scenario's moments (Europe/London wall-clock) --------------------------------------
Z_DOC_RELEASE = dt.datetime(2030, 1, 1, 9, 0, tzinfo=LONDON)
"""Child Z's only document: winter, so 09:00 London is 09:00 UTC."""
Z_STATEMENT_RELEASE = dt.datetime(2030, 2, 1, 9, 0, tzinfo=LONDON)
Y_STATEMENT_RELEASE = dt.datetime(2030, 4, 15, 12, 0, tzinfo=LONDON)
"""Summer time: 12:00 London is 11:00 UTC."""
Y_REPORT_RELEASE = dt.datetime(2030, 7, 1, 9, 0, tzinfo=LONDON)
"""Child Y's second document: summer, so 09:00 London is 08:00 UTC."""
ALL_RELEASES = (Z_DOC_RELEASE, Z_STATEMENT_RELEASE, Y_STATEMENT_RELEASE, Y_REPORT_RELEASE)

BEFORE_ALL = dt.datetime(2029, 12, 31, 12, 0, tzinfo=LONDON)
AFTER_ALL = dt.datetime(2031, 1, 1, 12, 0, tzinfo=LONDON)
ONE_SECOND = dt.timedelta(seconds=1)

# ----- Child Z: invisible until Z_DOC_RELEASE ----------------------------------------------------------
Z_ID = "child-z"
Z_NAME = "Child Z"
Z_ALIASES = ("Zanzibar Lane review", "the Quillfeather case")
Z_SUMMARY = "A practice review about the Zanzibar Lane household, referred to as Child Z."
Z_DOC_ID = "child-z-quillfeather-report"
Z_DOC_TITLE = "Child Z - Quillfeather practice review report"
Z_DOC_SUMMARY = "Quillfeather findings about the Zanzibar Lane household, not yet public."
Z_DOC_URL = "https://embargoed.example.org/child-z/quillfeather-report.pdf"
Z_FOREWORD_ID = "child-z-foreword"
Z_FOREWORD_BY = "Ottoline Marchbanks"
Z_FOREWORD_SUMMARY = "Ottoline Marchbanks introduces the Zanzibar Lane findings in a foreword."
Z_FOREWORD_URL = "https://embargoed.example.org/child-z/foreword"
Z_STATEMENT_ID = "child-z-statement"
Z_STATEMENT_BY = "Barnabus Wrenfield-Tottle"
Z_STATEMENT_SUMMARY = "Barnabus Wrenfield-Tottle responds to the Quillfeather report for the partnership."
Z_STATEMENT_URL = "https://embargoed.example.org/child-z/statement"

# ----- Child Y: visible, with a second embargoed document ---------------------------------------------
Y_ID = "child-y"
Y_NAME = "Child Y"
Y_BRIEFING_ID = "child-y-briefing"
Y_BRIEFING_URL = "https://public.example.org/child-y/briefing"
Y_BRIEFING_SUMMARY = "The public briefing on the Child Y review."
Y_REPORT_ID = "child-y-vorticella-report"
Y_REPORT_TITLE = "Child Y - Vorticella full review report"
Y_REPORT_SUMMARY = "Vorticella findings of the Child Y review, under embargo."
Y_REPORT_URL = "https://embargoed.example.org/child-y/vorticella-report.pdf"
Y_WITHDRAWN_ID = "child-y-superseded-briefing"
Y_WITHDRAWN_TITLE = "Child Y - superseded briefing"
Y_STATEMENT_ID = "child-y-statement"
Y_STATEMENT_BY = "Perpetua Hollingsworth"
Y_STATEMENT_SUMMARY = "Perpetua Hollingsworth explains the Vorticella findings for the partnership."
Y_STATEMENT_URL = "https://embargoed.example.org/child-y/statement"

# ----- the fixture's withheld document -----------------------------------------------------------------
WITHHELD_REVIEW_ID = "baby-scr"
WITHHELD_DOC_ID = "baby-scr-report"

Z_TEXTS: tuple[str, ...] = (
    Z_NAME,
    *Z_ALIASES,
    Z_SUMMARY,
    Z_DOC_TITLE,
    Z_DOC_SUMMARY,
    Z_FOREWORD_BY,
    Z_FOREWORD_SUMMARY,
)
Z_TEXTS += (Z_STATEMENT_BY, Z_STATEMENT_SUMMARY, "Zanzibar", "Quillfeather", "Marchbanks", "Wrenfield")
Z_URLS = (Z_DOC_URL, Z_FOREWORD_URL, Z_STATEMENT_URL)
Z_IDS = (Z_ID, Z_DOC_ID, Z_FOREWORD_ID, Z_STATEMENT_ID)
"""Everything about Child Z that must not appear anywhere in any output before Z_DOC_RELEASE."""
Y_SECRET_TEXTS = (Y_REPORT_TITLE, Y_REPORT_SUMMARY, "Vorticella", Y_STATEMENT_BY, Y_STATEMENT_SUMMARY, "Hollingsworth")
Y_SECRET_URLS = (Y_REPORT_URL, Y_STATEMENT_URL)
Y_SECRET_IDS = (Y_REPORT_ID, Y_STATEMENT_ID)
"""Child Y's items hidden before Y_STATEMENT_RELEASE (statement) and Y_REPORT_RELEASE (report)."""

SOURCE = "https://example.org/test-source"


def copy_knowledge(tmp_path: Path, name: str = "knowledge") -> Path:
    """A private copy of the fixture knowledge directory, safe to edit."""
    target = tmp_path / name
    shutil.copytree(FIXTURE_KNOWLEDGE, target)
    return target


def add_yaml(directory: Path, filename: str, text: str) -> Path:
    """Write (dedented) YAML text as a new file of the knowledge directory."""
    path = directory / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first occurrence of `old` in a copied file; fail loudly if the fixture text has changed."""
    content = path.read_text(encoding="utf-8")
    assert old in content, f"{old!r} not found in {path}: the fixture knowledge changed, update the test"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the `occurrence`-th appearance of `needle`."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} (occurrence {occurrence}) not in {path}")


def _z_review() -> str:
    return f"""\
  - id: {Z_ID}
    name: {Z_NAME}
    aliases:
      - {Z_ALIASES[0]}
      - {Z_ALIASES[1]}
    partnership: lscpb
    review_type: lcspr
    themes: [neglect]
    summary: {Z_SUMMARY}
    documents:
      - id: {Z_DOC_ID}
        type: report
        title: {Z_DOC_TITLE}
        status: embargoed
        publish_on: 2030-01-01T09:00
        url: {Z_DOC_URL}
        summary: {Z_DOC_SUMMARY}
        sources: [{SOURCE}]
        checked: 2026-11-25
    sources: [{SOURCE}]
    checked: 2026-11-25
"""


def _y_review(with_secrets: bool) -> str:
    report = f"""\
      - id: {Y_REPORT_ID}
        type: report
        title: {Y_REPORT_TITLE}
        status: embargoed
        publish_on: 2030-07-01T09:00
        url: {Y_REPORT_URL}
        summary: {Y_REPORT_SUMMARY}
        sources: [{SOURCE}]
        checked: 2026-11-25
"""
    return f"""\
  - id: {Y_ID}
    name: {Y_NAME}
    aliases: [Child Y review]
    partnership: lscpb
    review_type: lcspr
    summary: A Local Child Safeguarding Practice Review about a child the partnership refers to as Child Y.
    documents:
      - id: {Y_BRIEFING_ID}
        type: briefing
        title: Child Y - briefing
        status: published
        published_on: 2025-03-14
        url: {Y_BRIEFING_URL}
        summary: {Y_BRIEFING_SUMMARY}
        sources: [{SOURCE}]
        checked: 2026-11-25
{report if with_secrets else ""}\
      - id: {Y_WITHDRAWN_ID}
        type: briefing
        title: {Y_WITHDRAWN_TITLE}
        status: withdrawn
        reason: Replaced by the current briefing.
        sources: [{SOURCE}]
        checked: 2026-11-25
    sources: [{SOURCE}]
    checked: 2026-11-25
"""


def _statements() -> str:
    return f"""\
statements:
  - id: {Z_FOREWORD_ID}
    review: {Z_ID}
    by: {Z_FOREWORD_BY}
    role: Independent Chair
    summary: {Z_FOREWORD_SUMMARY}
    url: {Z_FOREWORD_URL}
    sources: [{SOURCE}]
    checked: 2026-11-25
  - id: {Z_STATEMENT_ID}
    review: {Z_ID}
    by: {Z_STATEMENT_BY}
    role: Independent Scrutineer
    summary: {Z_STATEMENT_SUMMARY}
    url: {Z_STATEMENT_URL}
    publish_on: 2030-02-01T09:00
    sources: [{SOURCE}]
    checked: 2026-11-25
  - id: {Y_STATEMENT_ID}
    review: {Y_ID}
    by: {Y_STATEMENT_BY}
    role: Independent Scrutineer
    summary: {Y_STATEMENT_SUMMARY}
    url: {Y_STATEMENT_URL}
    publish_on: 2030-04-15T12:00
    sources: [{SOURCE}]
    checked: 2026-11-25
"""


def scenario_yaml(with_secrets: bool = True) -> str:
    """The scenario's YAML; without secrets it is exactly what the public may see before any release."""
    text = "reviews:\n" + (_z_review() if with_secrets else "") + _y_review(with_secrets)
    return text + (_statements() if with_secrets else "")


def add_embargo_scenario(directory: Path, with_secrets: bool = True) -> Path:
    """Add the Child Z / Child Y scenario as `zz-embargo-scenario.yaml` (sorted after the fixture's files)."""
    path = directory / "zz-embargo-scenario.yaml"
    path.write_text(scenario_yaml(with_secrets), encoding="utf-8")
    return path


def embargo_knowledge(tmp_path: Path, with_secrets: bool = True) -> Path:
    """A copy of the fixture knowledge with the scenario added; returns the directory."""
    directory = copy_knowledge(tmp_path, "knowledge-secret" if with_secrets else "knowledge-public")
    add_embargo_scenario(directory, with_secrets)
    return directory


def load_embargo_kb(tmp_path: Path, with_secrets: bool = True) -> KnowledgeBase:
    return load_knowledge(embargo_knowledge(tmp_path, with_secrets))


def add_review(
    directory: Path,
    filename: str,
    review_id: str,
    name: str,
    documents: str,
    aliases: tuple[str, ...] = (),
) -> Path:
    """A review with the given documents (YAML list items at any indentation; they are re-indented)."""
    docs = textwrap.indent(textwrap.dedent(documents).strip("\n"), "      ")
    alias_lines = "".join(f"\n      - {a}" for a in aliases)
    text = (
        "reviews:\n"
        f"  - id: {review_id}\n"
        f"    name: {name}\n"
        f"    aliases:{alias_lines if aliases else ' []'}\n"
        "    partnership: lscpb\n"
        "    review_type: lcspr\n"
        f"    summary: A test review called {name}.\n"
        "    documents:\n"
        f"{docs}\n"
        f"    sources: [{SOURCE}]\n"
        "    checked: 2026-11-25\n"
    )
    path = directory / filename
    path.write_text(text, encoding="utf-8")
    return path


def document(doc_id: str, status: str, *, title: str | None = None, **fields: str) -> str:
    """One document as a YAML list item; `fields` are written as given (publish_on, url, summary, reason…)."""
    lines = [f"- id: {doc_id}", "  type: report", f"  title: {title or doc_id}", f"  status: {status}"]
    lines += [f"  {key}: {value}" for key, value in fields.items()]
    lines += [f"  sources: [{SOURCE}]", "  checked: 2026-11-25"]
    return "\n".join(lines) + "\n"


def child_n_yaml(summary: str = "A review published while the bot runs, referred to as Child N.") -> str:
    """A published review absent from the fixture knowledge, for tests that add it by a reload."""
    return f"""\
reviews:
  - id: child-n
    name: Child N
    partnership: lscpb
    review_type: lcspr
    summary: {summary}
    documents:
      - id: child-n-briefing
        type: briefing
        title: Child N - briefing
        status: published
        published_on: 2026-11-20
        url: https://public.example.org/child-n/briefing
        summary: The Child N briefing.
        sources: [https://example.org/test-source]
        checked: 2026-11-01
    sources: [https://example.org/test-source]
    checked: 2026-11-01
"""
