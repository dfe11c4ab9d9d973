"""The loader: the fixture knowledge loads, and every kind of broken copy gives one clear, located Problem.
(That the shipped knowledge loads is tests/content/'s.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from kb_builders import (
    FIXTURE_KNOWLEDGE,
    add_review,
    add_yaml,
    copy_knowledge,
    document,
    edit,
    embargo_knowledge,
    line_of,
)

from bot.kb.loader import json_schema, load_knowledge
from bot.kb.models import KnowledgeFile
from bot.kb.problems import KnowledgeInvalid, Problem

ROOT = Path(__file__).resolve().parent.parent
CHILD_E_DOC_STATUS = "        status: published\n        published_on: 2024-07-31\n"


def problems_of(directory: Path) -> list[Problem]:
    """The problems load_knowledge reports; fails the test if it loads or raises anything else."""
    with pytest.raises(KnowledgeInvalid) as caught:
        load_knowledge(directory)
    assert caught.value.problems, "KnowledgeInvalid raised without problems"
    found: list[Problem] = caught.value.problems
    return found


def only_problem(directory: Path) -> Problem:
    found = problems_of(directory)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return copy_knowledge(tmp_path)


# ----- the fixture knowledge ------------------------------------------------------------------------------


def test_a_term_and_a_partnership_may_share_an_id() -> None:
    kb = load_knowledge(FIXTURE_KNOWLEDGE)
    shared = {t.id for t in kb.terms} & {p.id for p in kb.partnerships}
    assert "lscpb" in shared  # the fixture glossary explains LSCPB, also the home partnership's id


def test_the_embargo_scenario_loads(tmp_path: Path) -> None:
    kb = load_knowledge(embargo_knowledge(tmp_path))
    assert {"child-z", "child-y"} <= {r.id for r in kb.reviews}


def test_an_empty_yaml_file_is_allowed(kb_dir: Path) -> None:
    add_yaml(kb_dir, "empty.yaml", "# nothing yet\n")
    assert load_knowledge(kb_dir).reviews


def test_files_in_subdirectories_are_read_and_named_relative_to_the_directory(kb_dir: Path) -> None:
    add_yaml(kb_dir, "more/extra.yaml", "themes:\n  - id: Bad Id\n")
    found = problems_of(kb_dir)
    assert {p.file for p in found} == {"more/extra.yaml"}


# ----- schema problems: one Problem each, located by file, line and key ----------------------------------


def test_unknown_key(kb_dir: Path) -> None:
    reviews = kb_dir / "reviews.yaml"
    edit(reviews, "    name: Child E\n", "    name: Child E\n    colour: blue\n")
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "reviews.yaml",
        line_of(reviews, "colour: blue"),
        "reviews[0].colour",
    )
    assert "unknown key" in problem.message


def test_unknown_key_in_a_document(kb_dir: Path) -> None:
    reviews = kb_dir / "reviews.yaml"
    edit(reviews, CHILD_E_DOC_STATUS, CHILD_E_DOC_STATUS + "        pages: 12\n")
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "reviews.yaml",
        line_of(reviews, "pages: 12"),
        "reviews[0].documents[0].pages",
    )


def test_missing_required_field_points_at_its_entry(kb_dir: Path) -> None:
    reviews = kb_dir / "reviews.yaml"
    edit(reviews, "    partnership: lscpb\n    review_type: lcspr\n", "    partnership: lscpb\n")
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "reviews.yaml",
        line_of(reviews, "- id: child-e"),
        "reviews[0].review_type",
    )
    assert problem.message == "required key is missing"


def test_missing_required_field_of_a_later_entry(kb_dir: Path) -> None:
    themes = kb_dir / "themes.yaml"
    edit(themes, '    summary: "Learning from case reviews on neglect."\n', "")
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "themes.yaml",
        line_of(themes, "- id: neglect"),
        "themes[2].summary",
    )


def test_wrong_type(kb_dir: Path) -> None:
    contacts = kb_dir / "contacts.yaml"
    edit(contacts, "    order: 1\n", "    order: first\n")
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "contacts.yaml",
        line_of(contacts, "order: first"),
        "contacts[0].order",
    )
    assert "integer" in problem.message


def test_wrong_type_list_expected(kb_dir: Path) -> None:
    partnerships = kb_dir / "partnerships.yaml"
    edit(
        partnerships,
        "    sources:\n      - https://lcitylscb.org/about-the-lscp\n      - https://lcitylscb.org/learning-from-reviews\n",
        "    sources: 7\n",
    )
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "partnerships.yaml",
        line_of(partnerships, "sources: 7"),
        "partnerships[0].sources",
    )


def test_bad_date_written_as_a_string(kb_dir: Path) -> None:
    reviews = kb_dir / "reviews.yaml"
    edit(reviews, "published_on: 2024-07-31", 'published_on: "2024-13-01"')
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "reviews.yaml",
        line_of(reviews, '"2024-13-01"'),
        "reviews[0].documents[0].published_on",
    )
    assert "date" in problem.message


def test_bad_url(kb_dir: Path) -> None:
    reviews = kb_dir / "reviews.yaml"
    edit(
        reviews,
        "        url: https://lcitylscb.org/learning-from-reviews\n",
        "        url: lcitylscb.org/learning-from-reviews\n",
    )
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "reviews.yaml",
        line_of(reviews, "url: lcitylscb.org"),
        "reviews[0].documents[0].url",
    )
    assert "http(s) URL" in problem.message and "lcitylscb.org/learning-from-reviews" in problem.message


def test_bad_url_in_a_sources_list(kb_dir: Path) -> None:
    partnerships = kb_dir / "partnerships.yaml"
    edit(partnerships, "      - https://lcitylscb.org/about-the-lscp\n", "      - ftp://lcitylscb.org/about-the-lscp\n")
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "partnerships.yaml",
        line_of(partnerships, "ftp://"),
        "partnerships[0].sources[0]",
    )


def test_bad_slug_id(kb_dir: Path) -> None:
    themes = kb_dir / "themes.yaml"
    edit(themes, "  - id: neglect\n", "  - id: Neglect Theme\n")
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "themes.yaml",
        line_of(themes, "id: Neglect Theme"),
        "themes[2].id",
    )


def test_withheld_document_with_a_url_is_an_error_mentioning_withheld(kb_dir: Path) -> None:
    reviews = kb_dir / "reviews.yaml"
    edit(
        reviews,
        "        status: withheld\n",
        "        status: withheld\n        url: https://lcitylscb.org/secret-report\n",
    )
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "reviews.yaml",
        line_of(reviews, "secret-report"),
        "reviews[3].documents[0].url",
    )
    assert "withheld" in problem.message


def test_withheld_document_with_a_summary_is_an_error_too(kb_dir: Path) -> None:
    reviews = kb_dir / "reviews.yaml"
    edit(reviews, "        status: withheld\n", "        status: withheld\n        summary: What the report found.\n")
    problem = only_problem(kb_dir)
    assert problem.key == "reviews[3].documents[0].summary"
    assert "withheld" in problem.message


def test_embargoed_document_without_publish_on(kb_dir: Path) -> None:
    reviews = kb_dir / "reviews.yaml"
    edit(reviews, CHILD_E_DOC_STATUS, "        status: embargoed\n")
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "reviews.yaml",
        line_of(reviews, "- id: child-e-improvements-briefing"),
        "reviews[0].documents[0].publish_on",
    )
    assert problem.message == "required key is missing"


def test_embargoed_document_with_publish_on_loads_as_london_time(kb_dir: Path) -> None:
    reviews = kb_dir / "reviews.yaml"
    edit(reviews, CHILD_E_DOC_STATUS, "        status: embargoed\n        publish_on: 2030-01-01T09:00\n")
    kb = load_knowledge(kb_dir)
    doc = kb.reviews[0].documents[0]
    assert doc.status == "embargoed"


def test_unknown_status(kb_dir: Path) -> None:
    reviews = kb_dir / "reviews.yaml"
    edit(reviews, "        status: published\n", "        status: draft\n")
    problem = only_problem(kb_dir)
    assert problem.file == "reviews.yaml"
    assert problem.key.startswith("reviews[0].documents[0]")
    assert "status must be one of" in problem.message and "embargoed" in problem.message
    # Known defect (reported): the line is the document's first line and the key lacks ".status".


def test_missing_status(kb_dir: Path) -> None:
    reviews = kb_dir / "reviews.yaml"
    edit(reviews, "        status: published\n", "")
    problem = only_problem(kb_dir)
    assert problem.file == "reviews.yaml"
    assert problem.key.startswith("reviews[0].documents[0]")
    assert "status is required" in problem.message


def test_duplicate_yaml_key(kb_dir: Path) -> None:
    themes = kb_dir / "themes.yaml"
    edit(themes, '    name: "Neglect"\n', '    name: "Neglect"\n    name: "Neglect again"\n')
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "themes.yaml",
        line_of(themes, "Neglect again"),
        "themes[2].name",
    )
    assert "duplicate key" in problem.message


# ----- ids and references ---------------------------------------------------------------------------------


def test_duplicate_id_within_a_section_of_one_file(kb_dir: Path) -> None:
    themes = kb_dir / "themes.yaml"
    first = line_of(themes, "- id: child-sexual-exploitation")
    edit(themes, "  - id: domestic-abuse\n", "  - id: child-sexual-exploitation\n")
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "themes.yaml",
        line_of(themes, "- id: child-sexual-exploitation", occurrence=2),
        "themes[1].id",
    )
    assert "duplicate id 'child-sexual-exploitation'" in problem.message
    assert f"themes.yaml:{first}" in problem.message


def test_duplicate_id_across_files(kb_dir: Path) -> None:
    extra = add_yaml(
        kb_dir,
        "zz-extra.yaml",
        """
        themes:
          - id: neglect
            name: Neglect again
            summary: A second neglect theme.
            sources: [https://example.org/x]
            checked: 2026-11-25
        """,
    )
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == ("zz-extra.yaml", line_of(extra, "id: neglect"), "themes[0].id")
    assert f"themes.yaml:{line_of(kb_dir / 'themes.yaml', '- id: neglect')}" in problem.message


def test_duplicate_document_id_across_reviews(kb_dir: Path) -> None:
    path = add_review(
        kb_dir,
        "zz-review.yaml",
        "child-q",
        "Child Q",
        document("child-e-improvements-briefing", "withdrawn"),
    )
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "zz-review.yaml",
        line_of(path, "- id: child-e-improvements-briefing"),
        "reviews[0].documents[0].id",
    )
    assert "duplicate id" in problem.message


def test_a_new_partnership_may_reuse_a_glossary_term_id(kb_dir: Path) -> None:
    add_yaml(
        kb_dir,
        "zz-partner.yaml",
        """
        partnerships:
          - id: nspcc
            name: NSPCC as a partner
            short_name: NSPCC
            area: UK
            website: https://www.nspcc.org.uk
            about: Used only by this test.
            sources: [https://www.nspcc.org.uk]
            checked: 2026-11-25
        """,
    )
    kb = load_knowledge(kb_dir)
    assert "nspcc" in {p.id for p in kb.partnerships} and "nspcc" in {t.id for t in kb.terms}


def test_the_same_id_in_different_sections_is_allowed(kb_dir: Path) -> None:
    add_yaml(
        kb_dir,
        "zz-topic.yaml",
        """
        topics:
          - id: neglect
            title: A topic that shares the theme's id
            points: [One point.]
            sources: [https://example.org/x]
            checked: 2026-11-25
        """,
    )
    kb = load_knowledge(kb_dir)
    assert "neglect" in {t.id for t in kb.topics} and "neglect" in {t.id for t in kb.themes}


@pytest.mark.parametrize(
    ("filename", "old", "new", "key", "needle", "words"),
    [
        (
            "reviews.yaml",
            "    partnership: lscpb\n",
            "    partnership: nowhere-board\n",
            "reviews[0].partnership",
            "partnership: nowhere-board",
            "no partnership with id 'nowhere-board'",
        ),
        (
            "reviews.yaml",
            "    review_type: lcspr\n",
            "    review_type: inquiry\n",
            "reviews[0].review_type",
            "review_type: inquiry",
            "no glossary term with id 'inquiry'",
        ),
        (
            "reviews.yaml",
            "    review_type: lcspr\n",
            "    review_type: lcspr\n    themes: [neglect, no-such-theme]\n",
            "reviews[0].themes[1]",
            "no-such-theme",
            "no theme with id 'no-such-theme'",
        ),
        (
            "resources.yaml",
            "      From Reviews page describes it.\n",
            "      From Reviews page describes it.\n    informed_by: [no-such-guidance]\n",
            "resources[3].informed_by[0]",
            "no-such-guidance",
            "no resource with id 'no-such-guidance'",
        ),
        (
            "glossary.yaml",
            "    aliases: [SCR, serious case review, serious case reviews]\n",
            "    aliases: [SCR, serious case review, serious case reviews]\n    replaced_by: [no-such-term]\n",
            "terms[2].replaced_by[0]",
            "no-such-term",
            "no glossary term with id 'no-such-term'",
        ),
        (
            "statements.yaml",
            "    review: baby-scr\n",
            "    review: baby-nothing\n",
            "statements[0].review",
            "review: baby-nothing",
            "no review with id 'baby-nothing'",
        ),
        (
            "reviews.yaml",
            "        instead: baby-scr-learning-briefing\n",
            "        instead: baby-scr-summary\n",
            "reviews[3].documents[0].instead",
            "instead: baby-scr-summary",
            "no document 'baby-scr-summary' in this review",
        ),
        (
            "topics.yaml",
            "    related: [llr-framework, working-together-2023]\n",
            "    related: [llr-framework, no-such-resource]\n",
            "topics[0].related[1]",
            "no-such-resource",
            "no resource with id 'no-such-resource'",
        ),
        (
            "nspcc-briefings.yaml",
            "    themes: [child-sexual-exploitation]\n",
            "    themes: [child-sexual-exploit]\n",
            "resources[0].themes[0]",
            "child-sexual-exploit]",
            "no theme with id 'child-sexual-exploit'",
        ),
    ],
    ids=[
        "partnership",
        "review_type",
        "theme",
        "resource.informed_by",
        "term.replaced_by",
        "statement.review",
        "withheld.instead",
        "topic.related",
        "resource.theme",
    ],
)
def test_reference_to_a_missing_id(
    kb_dir: Path, filename: str, old: str, new: str, key: str, needle: str, words: str
) -> None:
    path = kb_dir / filename
    edit(path, old, new)
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (filename, line_of(path, needle), key)
    assert words in problem.message


def test_withheld_instead_must_point_to_a_published_document(tmp_path: Path) -> None:
    directory = copy_knowledge(tmp_path)
    path = add_review(
        directory,
        "zz-review.yaml",
        "child-q",
        "Child Q",
        document("child-q-report", "withheld", reason="Not published.", instead="child-q-old")
        + document("child-q-old", "withdrawn"),
    )
    problem = only_problem(directory)
    assert (problem.file, problem.line, problem.key) == (
        "zz-review.yaml",
        line_of(path, "instead: child-q-old"),
        "reviews[0].documents[0].instead",
    )
    assert "withdrawn" in problem.message


def test_only_one_home_partnership(kb_dir: Path) -> None:
    partnerships = kb_dir / "partnerships.yaml"
    edit(
        partnerships,
        "    area: Leicestershire (the county) and Rutland\n",
        "    area: Leicestershire (the county) and Rutland\n    home: true\n",
    )
    problem = only_problem(kb_dir)
    assert (problem.file, problem.key) == ("partnerships.yaml", "partnerships[1].home")
    assert problem.line == line_of(partnerships, "    home: true", occurrence=2)


# ----- files that cannot be read --------------------------------------------------------------------------


def test_yaml_syntax_error_names_the_line_of_the_error(kb_dir: Path) -> None:
    themes = kb_dir / "themes.yaml"
    edit(
        themes,
        '    summary: "Learning from case reviews on neglect."\n',
        "    summary: Learning: from case reviews: neglect\n",
    )
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == (
        "themes.yaml",
        line_of(themes, "Learning: from case"),
        "(file)",
    )
    assert problem.message.startswith("YAML syntax")


def test_yaml_syntax_error_in_a_flow_list(kb_dir: Path) -> None:
    add_yaml(kb_dir, "zz-broken.yaml", "themes:\n  - id: x\n    aliases: [one, two\n    name: X\n")
    problem = only_problem(kb_dir)
    assert problem.file == "zz-broken.yaml" and problem.key == "(file)"
    assert 3 <= problem.line <= 5
    assert "YAML syntax" in problem.message


def test_non_utf8_file(kb_dir: Path) -> None:
    (kb_dir / "zz-latin1.yaml").write_bytes("themes:\n  - id: cafe\n    name: Caf\xe9\n".encode("latin-1"))
    problem = only_problem(kb_dir)
    assert (problem.file, problem.key) == ("zz-latin1.yaml", "(file)")
    assert "UTF-8" in problem.message


def test_a_file_that_is_not_a_mapping(kb_dir: Path) -> None:
    add_yaml(kb_dir, "zz-list.yaml", "- id: child-e\n- id: child-f\n")
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == ("zz-list.yaml", 1, "(file)")
    assert "mapping" in problem.message


def test_unknown_section(kb_dir: Path) -> None:
    path = add_yaml(kb_dir, "zz-section.yaml", "# a typo in a section name\nreveiws: []\n")
    problem = only_problem(kb_dir)
    assert (problem.file, problem.line, problem.key) == ("zz-section.yaml", line_of(path, "reveiws"), "reveiws")


def test_empty_directory(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.txt").write_text("not yaml", encoding="utf-8")
    problem = only_problem(empty)
    assert (problem.line, problem.key) == (1, "(directory)")
    assert str(empty) in problem.file
    assert "no .yaml files" in problem.message


def test_missing_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    problem = only_problem(missing)
    assert (problem.line, problem.key) == (1, "(directory)")
    assert str(missing) in problem.file
    assert "not found" in problem.message


# ----- all problems at once -------------------------------------------------------------------------------


def test_every_problem_of_a_file_is_reported_at_once(kb_dir: Path) -> None:
    path = add_yaml(
        kb_dir,
        "zz-three.yaml",
        """
        themes:
          - id: theme-one
            name: One
            summary: First.
            colour: red
            sources: [https://example.org/x]
            checked: 2026-11-25
          - id: theme-two
            name: Two
            summary: Second.
            sources: [example.org/not-a-url]
            checked: 2026-11-25
          - id: theme-three
            name: Three
            sources: [https://example.org/x]
            checked: 2026-11-25
        """,
    )
    found = problems_of(kb_dir)
    assert [(p.file, p.line, p.key) for p in found] == [
        ("zz-three.yaml", line_of(path, "colour: red"), "themes[0].colour"),
        ("zz-three.yaml", line_of(path, "not-a-url"), "themes[1].sources[0]"),
        ("zz-three.yaml", line_of(path, "- id: theme-three"), "themes[2].summary"),
    ]


def test_problems_of_several_files_are_reported_together_in_file_order(kb_dir: Path) -> None:
    edit(kb_dir / "contacts.yaml", "    order: 1\n", "    order: first\n")
    edit(kb_dir / "themes.yaml", "  - id: neglect\n", "  - id: Neglect\n")
    add_yaml(kb_dir, "zz-syntax.yaml", "themes: [\n")
    found = problems_of(kb_dir)
    assert [p.file for p in found] == ["contacts.yaml", "themes.yaml", "zz-syntax.yaml"]


def test_knowledge_invalid_message_lists_each_problem_as_file_line_key(kb_dir: Path) -> None:
    reviews = kb_dir / "reviews.yaml"
    edit(reviews, "    name: Child E\n", "    name: Child E\n    colour: blue\n")
    with pytest.raises(KnowledgeInvalid) as caught:
        load_knowledge(kb_dir)
    assert (
        str(caught.value) == f"reviews.yaml:{line_of(reviews, 'colour')}: reviews[0].colour: unknown key (not allowed)"
    )


# ----- the exported JSON Schema -----------------------------------------------------------------------------


def test_schema_command_prints_a_json_schema_with_every_section() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "schema"], capture_output=True, text=True, cwd=ROOT, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert set(schema["properties"]) == set(KnowledgeFile.model_fields)
    assert {"reviews", "themes", "statements", "resources", "contacts", "terms", "topics"} <= set(schema["properties"])
    assert schema.get("additionalProperties") is False
    assert json.loads(json_schema()) == schema


def test_schema_describes_the_publication_statuses() -> None:
    schema = json.loads(json_schema())
    text = json.dumps(schema)
    for status in ("published", "embargoed", "withheld", "withdrawn"):
        assert f'"{status}"' in text
    withheld = schema["$defs"]["WithheldDocument"]
    assert "url" not in withheld["properties"] and "summary" not in withheld["properties"]
    assert withheld.get("additionalProperties") is False
