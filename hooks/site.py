"""mkdocs hook: everything the site derives from data/ (the registries).

From ``data/lessons.yml`` (read by :mod:`sitekit.registry`):

- the nav and its English translations (``config.nav`` and the i18n
  plugin's ``nav_translations``): written lessons in curriculum order;
- each lesson page's title (``# 1.2 Hopfield networks``), a box with its
  prerequisites and its code's API page, and previous/next links;
- the home page's curriculum (the ``<!-- curriculum -->`` marker), with
  planned lessons marked;
- one API page per module, titled and linked by its lesson.

From ``data/glossary.yml`` and ``data/bibliography.yml``: the glossary and
bibliography pages in both languages, each entry linking back to the lessons
that use it.

Generated pages are written into ``docs/`` before mkdocs collects files
(git-ignored; see :data:`GENERATED`), only when their text changes, so
``mkdocs serve`` does not loop. Every page's blocks are checked with
:mod:`sitekit.blocks`: a fence that would be shown untested fails the build
with its file and line.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
import sys
import unicodedata
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sitekit import blocks, registry  # noqa: E402

log = logging.getLogger("mkdocs.hooks.site")

#: Pages this hook writes (relative to docs/, git-ignored).
GENERATED = ("reference/glossary", "reference/bibliography", "reference/api")

WORDS = {
    "ko": {
        "home": "홈", "reference": "참고 자료", "glossary": "용어집", "bibliography": "참고문헌",
        "api": "API 레퍼런스", "contributing": "기여 안내", "prereq": "선수 지식",
        "maths": "수학", "code": "코드", "none": "없음", "planned": "준비 중",
        "prev": "이전", "next": "다음", "used_in": "쓰인 곳", "cited_in": "인용한 곳",
        "shared": "공용 모듈", "lesson": "레슨", "avoid": "쓰지 않는 번역",
    },
    "en": {
        "home": "Home", "reference": "Reference", "glossary": "Glossary",
        "bibliography": "Bibliography", "api": "API reference",
        "contributing": "Contributing", "prereq": "Prerequisites", "maths": "Maths",
        "code": "Code", "none": "none", "planned": "planned", "prev": "Previous",
        "next": "Next", "used_in": "Used in", "cited_in": "Cited in",
        "shared": "Shared modules", "lesson": "Lesson",
    },
}


# ------------------------------------------------------------------ helpers
def _rel(from_page: str, to_page: str) -> str:
    """Relative link between two docs/ paths (``physics/ising.md``)."""
    target, _, anchor = to_page.partition("#")
    rel = posixpath.relpath(target, posixpath.dirname(from_page) or ".")
    return rel + (f"#{anchor}" if anchor else "")


def _write(path: Path, text: str) -> None:
    """Write only when the text changes (mkdocs serve watches docs/)."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _lesson_sources(lang: str) -> dict[str, str]:
    """``{page: markdown}`` of every written lesson in one language."""
    out = {}
    for lesson in registry.registry().written():
        path = lesson.source(lang)
        if path.exists():
            out[lesson.page] = path.read_text(encoding="utf-8")
    return out


#: prose of each source text, kept across mkdocs serve's reloads of this hook
_PROSE = sys.modules.setdefault("_physdl_site_prose", type(sys)("_physdl_site_prose"))
_PROSE.__dict__.setdefault("cache", {})


def _links_to(text: str, page: str) -> set[str]:
    """Anchors of every link from ``text`` to ``page`` (outside code)."""
    prose = _PROSE.cache.get(text)
    if prose is None:
        prose = text
        for block in reversed(blocks.parse(text, strict=False)):
            prose = prose[: block.start] + prose[block.end :]
        if len(_PROSE.cache) > 1000:
            _PROSE.cache.clear()
        _PROSE.cache[text] = prose
    name = re.escape(posixpath.basename(page))
    return set(re.findall(rf"\]\([^)\s]*{name}#([\w.-]+)\)", prose))


def shared_modules() -> list[str]:
    """Modules of the package that belong to no single lesson."""
    import yaml

    data = yaml.safe_load((registry.DATA / "lessons.yml").read_text(encoding="utf-8"))
    return list(data.get("shared_modules") or [])


# ---------------------------------------------------------------- the nav
def build_nav() -> tuple[list, dict[str, str]]:
    """The Korean nav and its English translations."""
    reg = registry.registry()
    ko, en = WORDS["ko"], WORDS["en"]
    translations = {ko["home"]: en["home"]}
    nav: list = [{ko["home"]: "index.md"}]
    for part in reg.parts:
        items = [{lesson.label("ko"): lesson.page}
                 for lesson in reg.written() if lesson.part == part]
        for lesson in reg.written():
            if lesson.part == part:
                translations[lesson.label("ko")] = lesson.label("en")
        if items:
            nav.append({part.title["ko"]: items})
            translations[part.title["ko"]] = part.title["en"]
    api = [{ko["api"]: "reference/api/index.md"}]
    for lesson in reg.written():
        if lesson.module:
            api.append({lesson.label("ko"): f"reference/api/{lesson.module}.md"})
    for module in shared_modules():
        api.append({f"physdl_docs.{module}": f"reference/api/{module}.md"})
    nav.append({ko["reference"]: [
        {ko["glossary"]: "reference/glossary.md"},
        {ko["bibliography"]: "reference/bibliography.md"},
        {ko["api"]: api},
        {ko["contributing"]: "reference/contributing.md"},
    ]})
    for key in ("reference", "glossary", "bibliography", "api", "contributing"):
        translations[ko[key]] = en[key]
    return nav, translations


# --------------------------------------------------------- generated pages
_INTRO = {
    "glossary": {
        "ko": ("레슨에 나오는 딥러닝과 통계물리의 용어를 가나다순으로 모았습니다(알파벳으로 시작하는 "
               "용어가 먼저 옵니다). 위의 막대를 누르면 그 글자로 시작하는 용어로 건너뜁니다. 용어마다 "
               "영어 원어와 한 줄 정의가 있고, '쓰인 곳'의 번호를 누르면 그 용어를 쓰는 레슨으로 "
               "갑니다. 레슨에서 용어에 걸린 링크는 이 페이지의 해당 항목으로 옵니다. 이 사이트는 영어 "
               "용어 하나에 한국어 낱말 하나만 쓰며, 다른 책에서 흔히 보는 번역이 다르면 '쓰지 않는 "
               "번역'으로 적어 두었습니다."),
        "en": ("The deep-learning and statistical-physics terms of the lessons, in alphabetical "
               "order; the bar above jumps to a letter. Each entry gives the term's Korean form, a "
               "one-line definition and, under 'Used in', the lessons that use it. A term linked "
               "in a lesson leads to its entry here. The Korean pages use exactly one Korean word "
               "for each English term, the one given here."),
    },
    "bibliography": {
        "ko": ("레슨이 인용하는 논문과 책을 첫 저자의 성 알파벳순으로 모았습니다. 위의 막대를 누르면 "
               "그 글자로 건너뜁니다. 원문이 온라인에 있으면 DOI나 arXiv 링크가 붙어 있습니다. 짧은 "
               "설명이 있는 항목은 레슨이 그 문헌을 무엇의 근거로 삼는지 적은 것이고, '인용한 곳'의 "
               "번호를 누르면 그 문헌을 인용하는 레슨으로 갑니다. 제목은 출판된 그대로 둡니다."),
        "en": ("The papers and books the lessons cite, alphabetical by first author; the bar above "
               "jumps to a letter. Where the work is online, a DOI or arXiv link leads to it. A short "
               "note says what a lesson takes from the work, and 'Cited in' links the lessons that "
               "cite it. Titles keep their published spelling."),
    },
}

_CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_GROUP = {"ㄲ": "ㄱ", "ㄸ": "ㄷ", "ㅃ": "ㅂ", "ㅆ": "ㅅ", "ㅉ": "ㅈ"}


_DIGITS = dict(zip("0123456789", "영일이삼사오육칠팔구"))


def _reading(term: str) -> str:
    """The term as a Korean reader says it: leading digits read in Korean
    when Hangul follows (1차 상전이 is 일차 상전이, filed under ㅇ)."""
    m = re.match(r"\d+(?=[가-힣])", term)
    return "".join(_DIGITS[d] for d in m.group()) + term[m.end():] if m else term


def _initial(term: str) -> str:
    """The jump-bar group of a term: a Latin capital or a Hangul initial."""
    c = _reading(term)[0]
    if "가" <= c <= "힣":
        jamo = _CHOSEONG[(ord(c) - ord("가")) // 588]
        return _GROUP.get(jamo, jamo)
    c = unicodedata.normalize("NFKD", c)[0].upper()
    return c if c.isalpha() and c.isascii() else "#"


def _sort_key(term: str) -> tuple:
    # Latin before Hangul on the Korean page, as dictionaries do
    term = _reading(term)
    return (term[0] >= "가", term.lower())


def _users(page: str) -> dict[str, dict[str, list]]:
    """``{lang: {anchor: [lessons linking it]}}`` for glossary/bibliography."""
    reg = registry.registry()
    out: dict[str, dict[str, list]] = {}
    for lang in registry.LANGUAGES:
        found: dict[str, list] = {}
        for lesson_page, text in _lesson_sources(lang).items():
            for anchor in _links_to(text, page):
                found.setdefault(anchor, []).append(reg.by_page(lesson_page))
        out[lang] = found
    return out


def _lesson_links(lessons: list, lang: str, from_page: str) -> str:
    lessons = sorted({x.number: x for x in lessons}.values(),
                     key=lambda x: registry._number_key(x.number))
    return ", ".join(f"[{x.number}]({_rel(from_page, x.page)})" for x in lessons)


def glossary_page(lang: str, users: dict[str, list]) -> str:
    w = WORDS[lang]
    page = "reference/glossary.md"
    terms = sorted(registry.glossary(), key=lambda t: _sort_key(t.name(lang)))
    groups: dict[str, list] = {}
    for term in terms:
        groups.setdefault(_initial(term.name(lang)), []).append(term)
    bar = " · ".join(f"[{g}](#{_group_id(g)})" for g in groups)
    out = [f"# {w['glossary']}", "", _INTRO["glossary"][lang], "",
           f'<p class="physdl-jumpbar" markdown>{bar}</p>', ""]
    for group, members in groups.items():
        # index letters, not sections: an HTML heading keeps the two language
        # versions' section outlines equal (their alphabets differ)
        out += [f'<h2 class="physdl-initial" id="{_group_id(group)}">{group}</h2>', ""]
        for term in members:
            other = term.en if lang == "ko" else term.ko
            name = term.name(lang)
            extra = []
            if term.expansion:
                extra.append(term.expansion[lang])
            if term.abbr:
                extra.append(term.abbr)
            head = f"**{name}**" + (f" ({', '.join(extra)})" if extra else "")
            body = term.definition[lang]
            if lang == "ko" and term.avoid:
                body += f" {w['avoid']}: {', '.join(term.avoid)}."
            used = users.get(term.id)
            if used:
                body += f" — {w['used_in']}: {_lesson_links(used, lang, page)}"
            if other != name:
                head += f" ({other})"
            out += [f'<a id="{term.id}"></a>', head, f":   {body}", ""]
    return "\n".join(out)


def _group_id(group: str) -> str:
    return f"initial-{group}" if group.isascii() else f"initial-{_CHOSEONG.index(group)}"


def bibliography_page(lang: str, users: dict[str, list]) -> str:
    w = WORDS[lang]
    page = "reference/bibliography.md"
    out = [f"# {w['bibliography']}", "", _INTRO["bibliography"][lang], ""]
    letters = sorted({ref.id[0].upper() for ref in registry.bibliography()})
    bar = " · ".join(f"[{c}](#letter-{c.lower()})" for c in letters)
    out += [f'<p class="physdl-jumpbar" markdown>{bar}</p>']
    letter = None
    for ref in registry.bibliography():
        if ref.id[0].upper() != letter:
            letter = ref.id[0].upper()
            out += ["", f"## {letter} {{#letter-{letter.lower()}}}", ""]
        line = f'- <a id="{ref.id}"></a>{ref.text}'
        link = ref.link()
        if link:
            label = f"doi:{ref.doi}" if ref.doi else (f"arXiv:{ref.arxiv}" if ref.arxiv else link)
            line += f" [{label}]({link})"
        if ref.note:
            line += f" {ref.note[lang]}"
        cited = users.get(ref.id)
        if cited:
            line += f" — {w['cited_in']}: {_lesson_links(cited, lang, page)}"
        out.append(line)
    return "\n".join(out) + "\n"


def _api_meta(lang: str, module: str, lesson: str | None = None) -> list[str]:
    """Front matter of an API page: its description in the page's language
    (the docstrings themselves are English)."""
    if lang == "ko":
        text = (f"{lesson} 레슨의 코드인 physdl_docs.{module} 모듈의 API 레퍼런스: "
                "공개 함수와 클래스, 매개변수와 예제." if lesson else
                f"공용 모듈 physdl_docs.{module}의 API 레퍼런스: 공개 함수와 클래스.")
    else:
        text = (f"API reference of physdl_docs.{module}, the code of lesson {lesson}: "
                "its public functions and classes, parameters and examples." if lesson else
                f"API reference of the shared module physdl_docs.{module}.")
    return ["---", f"description: {json.dumps(text, ensure_ascii=False)}", "---", ""]


def api_pages(lang: str) -> dict[str, str]:
    """``{docs path: markdown}`` of the API index and one page per module."""
    w = WORDS[lang]
    reg = registry.registry()
    index = "reference/api/index.md"
    intro = {
        "ko": ("`physdl_docs` 패키지의 공개 함수와 클래스입니다. 문서는 소스의 독스트링에서 "
               "빌드할 때 만들어지며, 모듈마다 그 코드를 가르치는 레슨이 하나씩 있습니다."),
        "en": ("The public functions and classes of the `physdl_docs` package, generated at "
               "build time from the docstrings. Each module belongs to the lesson that "
               "teaches it."),
    }[lang]
    lines = [f"# {w['api']}", "", intro, ""]
    pages = {}
    for lesson in reg.written():
        if not lesson.module:
            continue
        path = f"reference/api/{lesson.module}.md"
        lines.append(f"- [{lesson.label(lang)}]({_rel(index, path)}): `physdl_docs.{lesson.module}`")
        pages[path] = "\n".join([
            *_api_meta(lang, lesson.module, lesson.label(lang)),
            f"# {lesson.label(lang)}: `physdl_docs.{lesson.module}`", "",
            f"{w['lesson']}: [{lesson.label(lang)}]({_rel(path, lesson.page)})", "",
            f"::: physdl_docs.{lesson.module}",
            "    options:", "      show_root_heading: false", "      heading_level: 2", "",
        ])
    shared = shared_modules()
    if shared:
        lines += ["", f"## {w['shared']}", ""]
    for module in shared:
        path = f"reference/api/{module}.md"
        lines.append(f"- [`physdl_docs.{module}`]({_rel(index, path)})")
        pages[path] = "\n".join([
            *_api_meta(lang, module),
            f"# `physdl_docs.{module}`", "", f"::: physdl_docs.{module}",
            "    options:", "      show_root_heading: false", "      heading_level: 2", "",
        ])
    pages[index] = "\n".join(lines) + "\n"
    return pages


def write_generated(docs_dir: Path) -> None:
    glossary_users = _users("glossary.md")
    bib_users = _users("bibliography.md")
    for lang in registry.LANGUAGES:
        _write(docs_dir / f"reference/glossary.{lang}.md", glossary_page(lang, glossary_users[lang]))
        _write(docs_dir / f"reference/bibliography.{lang}.md",
               bibliography_page(lang, bib_users[lang]))
        wanted = set()
        for path, text in api_pages(lang).items():
            target = docs_dir / path.replace(".md", f".{lang}.md")
            wanted.add(target)
            _write(target, text)
        for stale in (docs_dir / "reference/api").glob(f"*.{lang}.md"):
            if stale not in wanted:
                stale.unlink()


# -------------------------------------------------------------- page parts
def curriculum(lang: str, from_page: str) -> str:
    """The home page's list of every lesson, planned ones marked."""
    reg = registry.registry()
    w = WORDS[lang]
    out = []
    for part in reg.parts:
        out += [f"### {part.title[lang]}", ""]
        for lesson in reg.lessons:
            if lesson.part != part:
                continue
            if lesson.written:
                out.append(f"- {lesson.number} [{lesson.title[lang]}]({_rel(from_page, lesson.page)})")
            else:
                out.append(f"- {lesson.number} {lesson.title[lang]} *({w['planned']})*")
        out.append("")
    return "\n".join(out)


def prerequisites(lesson, lang: str) -> str:
    """The admonition under a lesson's goal: lessons, maths, code."""
    reg = registry.registry()
    w = WORDS[lang]
    links = []
    for number in lesson.requires:
        req = reg.by_number(number)
        if req.written:
            links.append(f"[{req.label(lang)}]({_rel(lesson.page, req.page)})")
        else:
            links.append(f"{req.label(lang)} *({w['planned']})*")
    lines = [f'!!! info "{w["prereq"]}"', f"    {' · '.join(links) or w['none']}"]
    if lesson.math:
        lines += ["", f"    {w['maths']}: {lesson.math[lang]}"]
    if lesson.module:
        api = _rel(lesson.page, f"reference/api/{lesson.module}.md")
        lines += ["", f"    {w['code']}: [`physdl_docs.{lesson.module}`]({api})"]
    return "\n".join(lines) + "\n"


def prev_next(lesson, lang: str) -> str:
    w = WORDS[lang]
    prev, nxt = registry.registry().neighbours(lesson)
    parts = []
    if prev:
        parts.append(f'[← {w["prev"]}: {prev.label(lang)}]({_rel(lesson.page, prev.page)})'
                     '{ .physdl-prev }')
    if nxt:
        parts.append(f'[{w["next"]}: {nxt.label(lang)} →]({_rel(lesson.page, nxt.page)})'
                     '{ .physdl-next }')
    label = f'{w["prev"]} / {w["next"]}'  # a landmark needs a name of its own
    return f'<nav class="physdl-prevnext" aria-label="{label}" markdown>\n{" ".join(parts)}\n</nav>\n'


def _after_goal(markdown: str) -> int:
    """Offset just after the page's opening ``!!! abstract`` box (or 0)."""
    m = re.match(r"\s*!!! abstract[^\n]*\n((?:[ \t]+[^\n]*\n|[ \t]*\n)*)", markdown)
    return m.end() if m else 0


def lesson_markdown(markdown: str, lesson, lang: str, src: str) -> str:
    """A lesson page as built: title, prerequisites, body, previous/next."""
    if re.search(r"^# ", "\n".join(
            line for line in _outside_code(markdown).split("\n")), re.M):
        raise PluginError(
            f"{src}: a lesson page has no '# ' title: it comes from data/lessons.yml "
            f"({lesson.number}: {lesson.title[lang]!r})"
        )
    k = _after_goal(markdown)
    head, body = markdown[:k].rstrip("\n"), markdown[k:].lstrip("\n")
    parts = [f"# {lesson.label(lang)}", ""]
    if head:
        parts += [head, ""]
    parts += [prerequisites(lesson, lang), body.rstrip("\n"), "", prev_next(lesson, lang)]
    return "\n".join(parts)


def _outside_code(markdown: str) -> str:
    for block in reversed(blocks.parse(markdown, strict=False)):
        markdown = markdown[: block.start] + markdown[block.end :]
    return markdown


def _language(page, config) -> str:
    locale = getattr(page.file, "locale", None) or config.theme.get("language", "ko")
    return locale if locale in WORDS else "en"


# ------------------------------------------------------------------- events
def on_config(config, **kwargs):
    registry.reload()
    try:
        nav, translations = build_nav()
        write_generated(Path(config["docs_dir"]))
    except registry.RegistryError as exc:
        raise PluginError(str(exc)) from exc
    config["nav"] = nav
    i18n = config.plugins.get("i18n")
    if i18n is not None:
        for language in i18n.config.languages:
            if language.locale == "en":
                language.nav_translations = translations
    return config


def on_files(files, config, **kwargs):
    """Leave out the pages of planned lessons: drafts until marked written."""
    planned = {lesson.page for lesson in registry.registry().lessons if not lesson.written}
    for file in list(files):
        if re.sub(r"\.(ko|en)\.md$", ".md", file.src_uri) in planned:
            log.info("draft (planned in data/lessons.yml), not built: %s", file.src_uri)
            files.remove(file)
    return files


@event_priority(10)  # before the notebook hook, which reads the title
def on_page_markdown(markdown, page, config, files, **kwargs):
    src = page.file.src_uri
    try:
        blocks.parse(markdown, f"docs/{src}")
    except blocks.BlockError as exc:
        raise PluginError(str(exc)) from exc
    lang = _language(page, config)
    norm = re.sub(r"\.(ko|en)\.md$", ".md", src)
    if norm == "index.md":
        return markdown.replace("<!-- curriculum -->", curriculum(lang, norm))
    lesson = registry.registry().by_page(norm)
    if lesson is None:
        return markdown
    return lesson_markdown(markdown, lesson, lang, f"docs/{src}")
