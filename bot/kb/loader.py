"""The only YAML reader: parse every file, validate against the schema, check references across files.

Every problem becomes one `Problem` naming file, line and key; all problems of all files are collected
before raising, so an editor fixes a broken knowledge base in one pass rather than one error at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.heap import builds_in_bulk
from bot.kb.models import KnowledgeBase, KnowledgeFile, WithheldDocument
from bot.kb.problems import KnowledgeInvalid, PathKey, Problem
from bot.kb.serving import serving_problems

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parents[1] / "knowledge"


@dataclass
class _ParsedFile:
    name: str
    data: Any
    _lines: dict[PathKey, int] | None = None
    text: str = ""

    @property
    def lines(self) -> dict[PathKey, int]:
        """Line of every key and item; for files read by the JSON fast path, worked out only when a problem
        has to be located."""
        if self._lines is None:
            self._lines = {}
            node = yaml.compose(self.text, Loader=_Loader)
            if node is not None:
                _walk_lines(node, (), self._lines, [], self.name)
        return self._lines


def _walk_lines(node: yaml.Node, path: PathKey, lines: dict[PathKey, int], problems: list[Problem], name: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                problems.append(Problem(name, key_node.start_mark.line + 1, _dotted((*path, key)), "duplicate key"))
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _walk_lines(value_node, (*path, key), lines, problems, name)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk_lines(item, (*path, index), lines, problems, name)


def _dotted(path: PathKey) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(file)"


try:  # libyaml when PyYAML was built with it: ten times the pure-Python parser's speed
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    """SafeLoader whose impossible dates (2024-13-01) stay strings, so the schema reports them at their key."""


def _lenient_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    try:
        return loader.construct_yaml_timestamp(node)  # type: ignore[arg-type]
    except ValueError:
        return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _lenient_timestamp)


class _DuplicateKeyError(ValueError):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _DuplicateKeyError
    return dict(pairs)


def _parse_json(name: str, text: str) -> _ParsedFile | None:
    """Generated knowledge may be written as JSON, which is YAML too: parsed twenty times faster. Anything
    unusual (duplicate keys, not an object) goes the YAML way, which reports it with a line."""
    body = "\n".join("" if line.startswith("#") else line for line in text.splitlines())
    if not body.lstrip().startswith("{"):
        return None
    try:
        data = json.loads(body, object_pairs_hook=_unique_pairs)
    except ValueError:  # includes _DuplicateKeyError and JSON syntax errors
        return None
    return _ParsedFile(name, data, None, text) if isinstance(data, dict) else None


def _parse(path: Path, root: Path, problems: list[Problem]) -> _ParsedFile | None:
    name = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
        fast = _parse_json(name, text)
        if fast is not None:
            return fast
        loader = _Loader(text)
        try:  # one parse: the node tree gives line numbers, the same tree gives the data
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, "(file)", f"not UTF-8 text: {exc.reason}"))
        return None
    except yaml.MarkedYAMLError as exc:
        problems.append(_syntax_problem(name, text, exc))
        return None
    if node is None:
        return _ParsedFile(name, {}, {(): 1}, text)
    lines: dict[PathKey, int] = {}
    _walk_lines(node, (), lines, problems, name)
    if not isinstance(data, dict):
        problems.append(Problem(name, 1, "(file)", "the file must be a mapping of sections (reviews:, themes: …)"))
        return None
    return _ParsedFile(name, data, lines, text)


_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?(?:[^\s:#"']+:\s+)?(["'])(.*)$""")


def _unclosed_quote(lines: list[str], first: int, last: int) -> int | None:
    """The first line (1-based, within first..last) whose value opens a quote it does not close."""
    for number in range(first, min(last, len(lines)) + 1):
        found = _QUOTED_VALUE.match(lines[number - 1])
        if found and found.group(2).count(found.group(1)) % 2 == 0:
            return number
    return None


def _syntax_problem(name: str, text: str, exc: yaml.MarkedYAMLError) -> Problem:
    """A YAML syntax error where the editor must look: where the broken construct starts (an unclosed quote,
    a key missing its colon), with where the parser noticed; tabs named, since YAML cannot indent with them."""
    noticed = exc.problem_mark.line + 1 if exc.problem_mark else 1
    tabbed = next(
        (n for n, line in enumerate(text.splitlines(), 1) if line[: len(line) - len(line.lstrip())].count("\t")), None
    )
    if tabbed is not None and "\\t" in repr(exc.problem):
        return Problem(name, tabbed, "(file)", "YAML syntax: a tab indents this line; YAML needs spaces")
    started = exc.context_mark.line + 1 if exc.context_mark else noticed
    unclosed = _unclosed_quote(text.splitlines(), min(started, noticed), noticed)
    if unclosed is not None:
        return Problem(
            name, unclosed, "(file)", f"YAML syntax: this quote is never closed (the parser gave up at line {noticed})"
        )
    message = f"YAML syntax: {exc.problem or exc}"
    if exc.context and started != noticed:
        message += f" ({exc.context} that starts here; noticed at line {noticed})"
    if tabbed is not None:
        message += f"; line {tabbed} is indented with a tab, and YAML needs spaces"
    return Problem(name, started, "(file)", message)


def _line_for(parsed: _ParsedFile, loc: tuple[Any, ...]) -> tuple[int, PathKey]:
    """Map a pydantic error location onto the YAML path, skipping union tags that are not keys in the data."""
    node: Any = parsed.data
    path: PathKey = ()
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
            path = (*path, part)
        elif isinstance(node, dict) and isinstance(part, str) and node.get("status") == part:
            continue  # the discriminator tag pydantic inserts
        else:
            path = (*path, part)  # a missing key: report its parent's line
            break
    probe = path
    while probe not in parsed.lines and probe:
        probe = probe[:-1]
    return parsed.lines.get(probe, 1), path


def _friendly(error: dict[str, Any], data_at_parent: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        status = data_at_parent.get("status") if isinstance(data_at_parent, dict) else None
        suffix = f" when status is {status}" if status in {"withheld", "withdrawn"} else ""
        return f"unknown key (not allowed{suffix})"
    if kind == "missing":
        return "required key is missing"
    if kind == "union_tag_invalid":
        return "status must be one of: published, embargoed, withheld, withdrawn"
    if kind == "union_tag_not_found":
        return "status is required (published, embargoed, withheld or withdrawn)"
    if kind == "string_pattern_mismatch" and "https?" in str(error.get("ctx", {}).get("pattern", "")):
        return f"not an absolute http(s) URL: {error.get('input')!r}"
    if kind.startswith(("date", "datetime")):
        example = "2024-07-31T09:00" if kind.startswith("datetime") else "2024-07-31"
        return f"{error.get('input')!r} is not a real date: write YYYY-MM-DD, e.g. {example}"
    if kind == "string_pattern_mismatch":
        return f"{error.get('input')!r} must be lower-case words joined by hyphens"
    return str(error["msg"])


def _validate_file(parsed: _ParsedFile, problems: list[Problem]) -> KnowledgeFile | None:
    try:
        return KnowledgeFile.model_validate(parsed.data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            if error["type"] in {"union_tag_invalid", "union_tag_not_found"}:
                loc = (*loc, "status")  # the discriminator itself is what is wrong
            line, path = _line_for(parsed, loc)
            parent: Any = parsed.data
            for part in path[:-1]:
                if isinstance(parent, dict):
                    parent = parent.get(part)
                elif isinstance(parent, list) and isinstance(part, int) and part < len(parent):
                    parent = parent[part]
            problems.append(Problem(parsed.name, line, _dotted(path), _friendly(dict(error), parent)))
        return None


class Locator:
    """Finds the file and line of an entry by section and id, for cross-file problems and lint warnings."""

    def __init__(self, directory: Path, files: list[_ParsedFile]) -> None:
        self._directory = directory
        self._files = files
        self._where: dict[tuple[str, str], tuple[_ParsedFile, int]] = {}
        for parsed in files:
            for section, items in parsed.data.items():
                if isinstance(items, list):
                    for index, item in enumerate(items):
                        if isinstance(item, dict) and "id" in item:
                            self._where.setdefault((section, str(item["id"])), (parsed, index))

    def problem(self, section: str, entry_id: str, key: PathKey, message: str) -> Problem:
        parsed, index = self._where[(section, entry_id)]
        path: PathKey = (section, index, *key)
        line, _ = _line_for(parsed, path)
        return Problem(parsed.name, line, _dotted(path), message)

    def section_problem(self, section: str, message: str) -> Problem:
        """A problem with a whole section (something missing from it): its first file, else the directory."""
        for parsed in self._files:
            if section in parsed.data:
                return Problem(parsed.name, parsed.lines.get((section,), 1), section, message)
        return Problem(str(self._directory), 1, section, message)

    def locate(self, where: str) -> str:
        """'reviews.child-e.documents.child-e-briefing.published_on' -> 'reviews.yaml:42' ('' when unknown)."""
        section, _, rest = where.partition(".")
        entry_id, _, rest = rest.partition(".")
        found = self._where.get((section, entry_id))
        if found is None:
            return ""
        parsed, index = found
        path: PathKey = (section, index)
        keys = rest.split(".") if rest else []
        if keys[:1] == ["documents"] and len(keys) > 1:
            documents = parsed.data[section][index].get("documents") or []
            ids = [doc.get("id") if isinstance(doc, dict) else None for doc in documents]
            if keys[1] in ids:
                path = (*path, "documents", ids.index(keys[1]))
                keys = keys[2:]
        line, _ = _line_for(parsed, (*path, *keys))
        return f"{parsed.name}:{line}"


def _check_references(kb: KnowledgeBase, at: Locator) -> Iterator[Problem]:
    partnerships = {p.id for p in kb.partnerships}
    themes = {t.id for t in kb.themes}
    terms = {t.id for t in kb.terms}
    resources = {r.id for r in kb.resources}
    reviews = {r.id: r for r in kb.reviews}
    for review in kb.reviews:
        if review.partnership not in partnerships:
            yield at.problem("reviews", review.id, ("partnership",), f"no partnership with id {review.partnership!r}")
        if review.review_type not in terms:
            yield at.problem("reviews", review.id, ("review_type",), f"no glossary term with id {review.review_type!r}")
        for i, theme in enumerate(review.themes):
            if theme not in themes:
                yield at.problem("reviews", review.id, ("themes", i), f"no theme with id {theme!r}")
        documents = {d.id: d for d in review.documents}
        for i, doc in enumerate(review.documents):
            if isinstance(doc, WithheldDocument) and doc.instead is not None:
                target = documents.get(doc.instead)
                if target is None:
                    yield at.problem(
                        "reviews",
                        review.id,
                        ("documents", i, "instead"),
                        f"no document {doc.instead!r} in this review",
                    )
                elif target.status in {"withheld", "withdrawn"}:
                    yield at.problem(
                        "reviews",
                        review.id,
                        ("documents", i, "instead"),
                        f"{doc.instead!r} is {target.status}: point to a published document",
                    )
    for resource in kb.resources:
        for i, theme in enumerate(resource.themes):
            if theme not in themes:
                yield at.problem("resources", resource.id, ("themes", i), f"no theme with id {theme!r}")
        for i, followed in enumerate(resource.informed_by):
            if followed not in resources:
                yield at.problem("resources", resource.id, ("informed_by", i), f"no resource with id {followed!r}")
    terms = {t.id for t in kb.terms}
    for term in kb.terms:
        for i, successor in enumerate(term.replaced_by):
            if successor not in terms:
                yield at.problem("terms", term.id, ("replaced_by", i), f"no glossary term with id {successor!r}")
    for statement in kb.statements:
        if statement.review not in reviews:
            yield at.problem("statements", statement.id, ("review",), f"no review with id {statement.review!r}")
    for topic in kb.topics:
        for i, related in enumerate(topic.related):
            if related not in resources:
                yield at.problem("topics", topic.id, ("related", i), f"no resource with id {related!r}")


def _check_unique_ids(files: list[_ParsedFile]) -> Iterator[Problem]:
    """Ids are unique within a section (buttons and deep links name an entry by section and id); documents
    form their own section across all reviews. A term and a partnership may share an id such as `lscpb`."""
    seen: dict[tuple[str, str], tuple[_ParsedFile, PathKey]] = {}  # lines worked out only for duplicates
    for parsed in files:
        for section, items in parsed.data.items():
            if not isinstance(items, list):
                continue
            for index, item in enumerate(items):
                if not isinstance(item, dict):
                    continue
                found: list[tuple[str, PathKey, Any]] = [(section, (section, index, "id"), item.get("id"))]
                documents = item.get("documents")
                for d_index, doc in enumerate(documents if isinstance(documents, list) else []):
                    if isinstance(doc, dict):
                        found.append(("documents", (section, index, "documents", d_index, "id"), doc.get("id")))
                for kind, path, entry_id in found:
                    if entry_id is None:
                        continue
                    key = (kind, str(entry_id))
                    if key in seen:
                        first_file, first_path = seen[key]
                        first = f"{first_file.name}:{_line_for(first_file, first_path)[0]}"
                        line = _line_for(parsed, path)[0]
                        yield Problem(parsed.name, line, _dotted(path), f"duplicate id {entry_id!r} (first at {first})")
                    else:
                        seen[key] = (parsed, path)


def knowledge_files(directory: Path) -> list[Path]:
    """The YAML files of a knowledge directory, in a stable order."""
    return sorted(p for p in directory.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


@dataclass(frozen=True)
class LoadedKnowledge:
    """A knowledge base with the means to point an editor at the file and line of any of its entries."""

    kb: KnowledgeBase
    locator: Locator


@builds_in_bulk
def read_knowledge(directory: Path, answerable: Collection[str] | None = None) -> LoadedKnowledge:
    """Read, validate and merge every YAML file under `directory`, then apply the serving rules
    (bot/kb/serving.py); raise `KnowledgeInvalid` listing all problems. `answerable` names the intents
    that have a composer, to pair them with the declared intents."""
    if not directory.is_dir():
        raise KnowledgeInvalid([Problem(str(directory), 1, "(directory)", "knowledge directory not found")])
    paths = knowledge_files(directory)
    if not paths:
        raise KnowledgeInvalid([Problem(str(directory), 1, "(directory)", "no .yaml files found")])
    problems: list[Problem] = []
    parsed_files = [p for p in (_parse(path, directory, problems) for path in paths) if p is not None]
    validated = [(p, k) for p in parsed_files if (k := _validate_file(p, problems)) is not None]
    problems.extend(_check_unique_ids(parsed_files))
    if problems:
        raise KnowledgeInvalid(problems)
    sections: dict[str, list[Any]] = {name: [] for name in KnowledgeFile.model_fields}
    for _, content in validated:
        for name in sections:
            sections[name].extend(getattr(content, name))
    kb = KnowledgeBase(**{name: tuple(items) for name, items in sections.items()})
    locator = Locator(directory, parsed_files)
    problems.extend(_check_references(kb, locator))
    problems.extend(serving_problems(kb, locator.problem, locator.section_problem, answerable))
    if problems:
        raise KnowledgeInvalid(problems)
    return LoadedKnowledge(kb, locator)


def load_knowledge(directory: Path, answerable: Collection[str] | None = None) -> KnowledgeBase:
    """The knowledge base under `directory`, valid and safe to serve (see `read_knowledge`)."""
    return read_knowledge(directory, answerable).kb


def json_schema() -> str:
    """The JSON Schema of one knowledge file, for editors' completion and validation."""
    schema = KnowledgeFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Learning-from-Reviews knowledge file"
    return json.dumps(schema, indent=2, sort_keys=True)
