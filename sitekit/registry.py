"""The lesson registry, the glossary and the bibliography, read from data/.

``data/lessons.yml`` is the one place for a lesson's number, titles, page,
module, status and prerequisites; ``data/glossary.yml`` for each term's
Korean and English form; ``data/bibliography.yml`` for each reference. The
site hook (``hooks/site.py``), the tests and the notebook writer read them
through this module, which checks them once and says what to fix.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sitekit import ROOT

DATA = ROOT / "data"
LANGUAGES = ("ko", "en")
STATUSES = ("written", "planned")


class RegistryError(ValueError):
    """A registry file is inconsistent; the message names the file and entry."""


@dataclass(frozen=True)
class Part:
    id: str
    dir: str
    title: dict[str, str]


@dataclass(frozen=True)
class Lesson:
    number: str
    slug: str
    module: str | None
    title: dict[str, str]
    status: str
    requires: tuple[str, ...]
    math: dict[str, str] = field(default_factory=dict)
    part: Part | None = None

    @property
    def written(self) -> bool:
        return self.status == "written"

    @property
    def page(self) -> str:
        """The page path inside docs/ without the language suffix."""
        return f"{self.slug}.md"

    def source(self, lang: str) -> Path:
        return ROOT / "docs" / f"{self.slug}.{lang}.md"

    def label(self, lang: str) -> str:
        """``"1.2 Hopfield networks"``."""
        return f"{self.number} {self.title[lang]}"


@dataclass(frozen=True)
class Registry:
    parts: tuple[Part, ...]
    lessons: tuple[Lesson, ...]

    def by_number(self, number: str) -> Lesson:
        for lesson in self.lessons:
            if lesson.number == number:
                return lesson
        raise KeyError(number)

    def by_page(self, page: str) -> Lesson | None:
        """The lesson whose page is ``page`` (``physics/ising.md``), if any."""
        page = re.sub(r"\.(ko|en)\.md$", ".md", page)
        for lesson in self.lessons:
            if lesson.page == page:
                return lesson
        return None

    def written(self) -> list[Lesson]:
        return [lesson for lesson in self.lessons if lesson.written]

    def neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        """The previous and next written lessons in curriculum order."""
        written = self.written()
        k = written.index(lesson)
        return (written[k - 1] if k > 0 else None,
                written[k + 1] if k + 1 < len(written) else None)


def _where(path: Path, what: str) -> str:
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return f"{shown}: {what}"


def _load(name: str):
    path = DATA / name
    try:
        return path, yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RegistryError(_where(path, f"not valid YAML: {exc}")) from exc


def _bilingual(value, path: Path, what: str) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != set(LANGUAGES) or not all(
        isinstance(v, str) and v.strip() for v in value.values()
    ):
        raise RegistryError(_where(path, f"{what} needs non-empty 'ko' and 'en' strings, got {value!r}"))
    return dict(value)


def _number_key(number: str) -> tuple[int, int]:
    a, b = number.split(".")
    return int(a), int(b)


@functools.cache
def registry() -> Registry:
    """Read and check ``data/lessons.yml`` (cached; see :func:`reload`)."""
    path, data = _load("lessons.yml")
    parts = tuple(
        Part(str(p["id"]), p["dir"], _bilingual(p["title"], path, f"part {p['id']} title"))
        for p in data["parts"]
    )
    part_of = {p.id: p for p in parts}
    roman = {"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV"}
    lessons, seen = [], set()
    allowed = {"number", "slug", "module", "title", "status", "requires", "math"}
    for entry in data["lessons"]:
        number = str(entry.get("number", ""))
        what = f"lesson {number or entry!r}"
        if not re.fullmatch(r"\d\.\d+", number):
            raise RegistryError(_where(path, f"{what}: number must look like '2.5'"))
        if number in seen:
            raise RegistryError(_where(path, f"{what}: number used twice"))
        extra = set(entry) - allowed
        if extra:
            raise RegistryError(_where(path, f"{what}: unknown keys {sorted(extra)}; allowed: {sorted(allowed)}"))
        seen.add(number)
        status = entry.get("status")
        if status not in STATUSES:
            raise RegistryError(_where(path, f"{what}: status must be one of {STATUSES}, got {status!r}"))
        part = part_of.get(roman.get(number.split(".")[0], ""))
        if part is None:
            raise RegistryError(_where(path, f"{what}: no part for this number"))
        slug = entry.get("slug", "")
        if not slug.startswith(part.dir + "/"):
            raise RegistryError(_where(path, f"{what}: slug {slug!r} must be under {part.dir}/"))
        module = entry.get("module")
        if module is not None and not re.fullmatch(r"[a-z_][a-z0-9_]*", module):
            raise RegistryError(_where(path, f"{what}: module must be a module name, got {module!r}"))
        math = entry.get("math") or {}
        lessons.append(Lesson(
            number=number, slug=slug, module=module,
            title=_bilingual(entry.get("title"), path, f"{what} title"),
            status=status, requires=tuple(str(r) for r in entry.get("requires") or ()),
            math=_bilingual(math, path, f"{what} math") if math else {}, part=part,
        ))
    numbers = [lesson.number for lesson in lessons]
    if numbers != sorted(numbers, key=_number_key):
        raise RegistryError(_where(path, "lessons must be listed in curriculum order"))
    for lesson in lessons:
        for r in lesson.requires:
            if r not in seen:
                raise RegistryError(_where(path, f"lesson {lesson.number} requires {r}, which is not a lesson"))
            if r == lesson.number:
                raise RegistryError(_where(path, f"lesson {lesson.number} requires itself"))
    return Registry(parts, tuple(lessons))


# ------------------------------------------------------------------ glossary
@dataclass(frozen=True)
class Term:
    id: str
    en: str
    ko: str
    definition: dict[str, str]
    abbr: str | None = None
    expansion: dict[str, str] = field(default_factory=dict)
    avoid: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


@functools.cache
def glossary() -> tuple[Term, ...]:
    """Read and check ``data/glossary.yml``: unique ids, both languages."""
    path, data = _load("glossary.yml")
    terms, seen = [], set()
    allowed = {"id", "en", "ko", "def", "abbr", "expansion", "avoid"}
    for entry in data:
        tid = entry.get("id", "")
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", tid):
            raise RegistryError(_where(path, f"term id {tid!r} must be kebab-case English"))
        if tid in seen:
            raise RegistryError(_where(path, f"term id {tid!r} used twice"))
        seen.add(tid)
        extra = set(entry) - allowed
        if extra:
            raise RegistryError(_where(path, f"term {tid}: unknown keys {sorted(extra)}"))
        for key in ("en", "ko"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise RegistryError(_where(path, f"term {tid}: missing {key!r}"))
        avoid = tuple(entry.get("avoid") or ())
        if entry["ko"] in avoid:
            raise RegistryError(_where(path, f"term {tid}: its Korean word is also in 'avoid'"))
        terms.append(Term(
            tid, entry["en"], entry["ko"], _bilingual(entry.get("def"), path, f"term {tid} def"),
            entry.get("abbr"),
            _bilingual(entry["expansion"], path, f"term {tid} expansion") if entry.get("expansion") else {},
            avoid,
        ))
    ids = [t.id for t in terms]
    if ids != sorted(ids):
        raise RegistryError(_where(path, "terms must be sorted by id (put a new one in its place)"))
    return tuple(terms)


# -------------------------------------------------------------- bibliography
@dataclass(frozen=True)
class Reference:
    id: str
    text: str
    doi: str | None = None
    arxiv: str | None = None
    url: str | None = None
    note: dict[str, str] = field(default_factory=dict)

    def link(self) -> str | None:
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.arxiv:
            return f"https://arxiv.org/abs/{self.arxiv}"
        return self.url


@functools.cache
def bibliography() -> tuple[Reference, ...]:
    """Read and check ``data/bibliography.yml``: unique sorted ids."""
    path, data = _load("bibliography.yml")
    refs, seen = [], set()
    allowed = {"id", "text", "doi", "arxiv", "url", "note"}
    for entry in data:
        rid = str(entry.get("id", ""))
        if not re.fullmatch(r"[a-z][a-z0-9]*\d{4}[a-z0-9]*", rid):
            raise RegistryError(_where(path, f"reference id {rid!r} must be author + year, e.g. hopfield1982"))
        if rid in seen:
            raise RegistryError(_where(path, f"reference id {rid!r} used twice"))
        seen.add(rid)
        extra = set(entry) - allowed
        if extra:
            raise RegistryError(_where(path, f"reference {rid}: unknown keys {sorted(extra)}"))
        if not isinstance(entry.get("text"), str) or not entry["text"].strip():
            raise RegistryError(_where(path, f"reference {rid}: missing 'text'"))
        note = entry.get("note") or {}
        refs.append(Reference(
            rid, entry["text"].strip(), entry.get("doi"), entry.get("arxiv"), entry.get("url"),
            _bilingual(note, path, f"reference {rid} note (both languages or neither)") if note else {},
        ))
    ids = [r.id for r in refs]
    if ids != sorted(ids):
        raise RegistryError(_where(path, "references must be sorted by id (put a new one in its place)"))
    return tuple(refs)


def reload() -> None:
    """Forget the cached files (``mkdocs serve`` rebuilds after an edit)."""
    registry.cache_clear()
    glossary.cache_clear()
    bibliography.cache_clear()
