"""The lesson registry (data/lessons.yml) and the files agree.

Each lesson's number, titles, page, module and status live only in the
registry; everything else is generated from it. So a page, a module, a unit
test or a figure file that exists without its entry (or an entry without its
files) fails here, with the fix in the message.
"""

from __future__ import annotations

import importlib
import re

import pytest
import yaml

from sitekit import registry

ROOT = registry.ROOT
REG = registry.registry()
#: docs/ pages that are not lessons (hand-written) or are generated
NOT_LESSONS = re.compile(r"^(index|reference/.*)$")
#: private modules of the package, tested by tests/unit/test_<name without _>.py
PRIVATE = {"_validation": "validation"}


def shared() -> list[str]:
    data = yaml.safe_load((registry.DATA / "lessons.yml").read_text(encoding="utf-8"))
    return list(data.get("shared_modules") or [])


def test_registry_loads():
    # number order, known parts, slugs under the part's folder, known requires
    assert [lesson.number for lesson in REG.lessons][:2] == ["0.1", "0.2"]


@pytest.mark.parametrize("lesson", REG.written(), ids=lambda x: x.number)
def test_written_lesson_has_its_files(lesson):
    for lang in registry.LANGUAGES:
        assert lesson.source(lang).exists(), (
            f"{lesson.number} is written in data/lessons.yml but docs/{lesson.slug}.{lang}.md is missing"
        )
    if lesson.module:
        assert (ROOT / "physdl_docs" / f"{lesson.module}.py").exists(), (
            f"{lesson.number}: physdl_docs/{lesson.module}.py is missing"
        )
        assert (ROOT / "tests" / "unit" / f"test_{lesson.module}.py").exists(), (
            f"{lesson.number}: tests/unit/test_{lesson.module}.py is missing"
        )
        assert importlib.import_module(f"physdl_docs.{lesson.module}")


def test_every_page_is_a_registered_lesson():
    pages = {
        re.sub(r"\.(ko|en)\.md$", "", p.relative_to(ROOT / "docs").as_posix())
        for p in (ROOT / "docs").rglob("*.md")
    }
    known = {lesson.slug for lesson in REG.lessons}
    stray = sorted(p for p in pages if not NOT_LESSONS.match(p) and p not in known)
    assert stray == [], (
        f"pages without an entry in data/lessons.yml: {stray}; add one "
        "(number, slug, module, title ko/en, status, requires)"
    )


def test_every_module_belongs_to_a_lesson():
    modules = {p.stem for p in (ROOT / "physdl_docs").glob("*.py") if p.stem != "__init__"}
    owned = {lesson.module for lesson in REG.lessons if lesson.module}
    stray = sorted(m for m in modules if m not in owned and m not in shared()
                   and m not in PRIVATE and not m.startswith("_"))
    assert stray == [], (
        f"physdl_docs modules that no lesson in data/lessons.yml teaches: {stray}; "
        "set a lesson's module, or list it under shared_modules"
    )
    for module in shared():
        assert module in modules, f"shared_modules lists {module}, which does not exist"


def test_every_unit_test_file_tests_a_module():
    modules = {p.stem for p in (ROOT / "physdl_docs").glob("*.py")}
    tested = {PRIVATE.get(m, m) for m in modules}
    stray = sorted(p.name for p in (ROOT / "tests" / "unit").glob("test_*.py")
                   if p.stem[len("test_"):] not in tested)
    assert stray == [], f"unit tests for no module of physdl_docs: {stray}"


def test_every_figure_file_belongs_to_a_module():
    folder = ROOT / "figures"
    if not folder.exists():
        pytest.skip("no figures/ folder")
    modules = {p.stem for p in (ROOT / "physdl_docs").glob("*.py")}
    stray = sorted(p.name for p in folder.glob("*.py")
                   if not p.stem.startswith("_") and p.stem not in modules)
    assert stray == [], f"figures/ files named after no module of physdl_docs: {stray}"


def test_planned_lessons_are_not_linked_as_pages():
    # a planned lesson's page is a draft and is not built: no link may point to it
    planned = [lesson for lesson in REG.lessons if not lesson.written]
    offenders = []
    for page in (ROOT / "docs").rglob("*.md"):
        if NOT_LESSONS.match(re.sub(r"\.(ko|en)\.md$", "", page.relative_to(ROOT / "docs").as_posix())):
            continue
        lesson = REG.by_page(page.relative_to(ROOT / "docs").as_posix())
        if lesson is not None and not lesson.written:
            continue  # drafts may link each other
        text = page.read_text(encoding="utf-8")
        for p in planned:
            name = p.slug.split("/")[-1]
            if re.search(rf"\]\([^)\s]*{re.escape(name)}\.md[#)]", text):
                offenders.append(f"{page.relative_to(ROOT)} links planned lesson {p.number}")
    assert offenders == []


def test_registry_errors_name_the_file(tmp_path, monkeypatch):
    bad = tmp_path / "lessons.yml"
    bad.write_text(
        "parts: [{id: '0', dir: start, title: {ko: a, en: b}}]\n"
        "lessons:\n  - {number: '0.1', slug: elsewhere/x, module: null,"
        " title: {ko: a, en: b}, status: written, requires: []}\n"
    )
    monkeypatch.setattr(registry, "DATA", tmp_path)
    registry.reload()
    try:
        with pytest.raises(registry.RegistryError, match=r"lessons.yml: lesson '0.1': slug 'elsewhere/x' must be under start/"):
            registry.registry()
    finally:
        monkeypatch.undo()
        registry.reload()
