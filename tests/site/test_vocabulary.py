"""One vocabulary across the site (issue 10, item 3).

Korean: ``data/glossary.yml`` is the single source of each term's Korean
word. An entry may list under ``avoid`` the Korean variants the site does
not use (``epoch``: 에폭, avoid 에포크). No Korean page, Korean glossary
definition of another term, Korean bibliography note, lesson title, figure
text or generated-page text may use an avoided variant; the message names
file, line, the variant and the word to use. A variant inside a glossary
word is not one (모형 is avoided for model, but 이징 모형 is a name).

English: one spelling per word, site-wide. The site writes British
spelling: -ise (initialisation, normalise, optimiser, quantisation, ...),
-yse (analyse), -our (behaviour, neighbour, colour), -lled/-lling
(modelling, labelled) and -re (centre). The choice followed the majority
of the pages when the rule was set (-ise 339 words against -ize 50;
behaviour 17 against behavior 2; modelling/labelled 22 against none).
Checked: every page's prose in both languages (English words on Korean
pages too), the glossary's English terms, definitions and expansions, the
lesson and part titles, the bibliography's English notes, the figures'
texts and the text the site hook writes. Not checked: code blocks and code
spans, math, link targets and anchors (``#he-initialization`` stays as it
is), HTML tags, the bibliography's reference texts (a title keeps its
published spelling) and the quotations listed in :data:`PUBLISHED`.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from sitekit import blocks, registry

ROOT = registry.ROOT
DOCS = ROOT / "docs"
GENERATED = re.compile(r"^reference/(glossary|bibliography|api/)")

#: Exact phrases quoted from published work, which keep their spelling.
PUBLISHED = (
    "a recently-developed regularization method",  # Krizhevsky et al. 2012, on dropout
)


# ----------------------------------------------------------------- sources
def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def prose(text: str) -> str:
    """Text a reader reads as prose; everything else blanked, lines kept."""
    for block in reversed(blocks.parse(text, strict=False)):
        chunk = re.sub(r"[^\n]", " ", text[block.start : block.end])
        text = text[: block.start] + chunk + text[block.end :]
    patterns = (
        r"<!--.*?-->",                        # HTML comments
        r"(?<!\\)\$\$.*?\$\$",                 # display math
        r"(?<![\\$])\$[^$\n]+\$(?!\$)",        # inline math
        r"`[^`\n]+`",                          # code spans
        r"(?<=\]\()\s*<?[^)\s>]*>?",           # link and image targets (the title stays)
        r"^\s*\[[^\]]+\]:\s*\S+",              # reference-style link definitions
        r"<[^>\n]+>",                          # HTML tags and their attributes
        r"\{[#.:][^}\n]*\}|\{ [#.][^}\n]*\}",  # attribute lists and anchors
        r"https?://\S+",                       # bare URLs
    )
    for pattern in patterns:
        text = re.sub(pattern, _blank, text, flags=re.DOTALL | re.MULTILINE)
    for phrase in PUBLISHED:
        text = text.replace(phrase, " " * len(phrase))
    return text


def pages(lang: str) -> list[Path]:
    found = [p for p in DOCS.rglob(f"*.{lang}.md")
             if not GENERATED.match(p.relative_to(DOCS).as_posix())]
    return sorted(found) + sorted((ROOT / "templates").glob(f"*.{lang}.md"))


def _yaml(name: str):
    return yaml.safe_load((ROOT / "data" / name).read_text(encoding="utf-8"))


def _hook_strings() -> list[str]:
    """Every string literal of hooks/site.py (the generated pages' words)."""
    tree = ast.parse((ROOT / "hooks" / "site.py").read_text(encoding="utf-8"))
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def sources(lang: str) -> list[tuple[str, str]]:
    """``(where, prose)`` pairs of everything the site shows in ``lang``.

    ``where`` is a path (line numbers count from its first line) or a
    ``data/<file>.yml: <entry>`` label.
    """
    out = [(p.relative_to(ROOT).as_posix(), prose(p.read_text(encoding="utf-8")))
           for p in pages(lang)]
    for entry in _yaml("glossary.yml"):
        where = f"data/glossary.yml: {entry['id']}"
        texts = [entry[lang], entry["def"][lang], (entry.get("expansion") or {}).get(lang, "")]
        out.append((where, prose("\n".join(texts))))
    lessons = _yaml("lessons.yml")
    for part in lessons["parts"]:
        out.append((f"data/lessons.yml: part {part['id']}", part["title"][lang]))
    for lesson in lessons["lessons"]:
        texts = [lesson["title"][lang], (lesson.get("math") or {}).get(lang, "")]
        out.append((f"data/lessons.yml: {lesson['number']}", prose("\n".join(texts))))
    for entry in _yaml("bibliography.yml"):
        if entry.get("note"):
            out.append((f"data/bibliography.yml: {entry['id']} note", prose(entry["note"][lang])))
    out.append(("hooks/site.py", "\n".join(_hook_strings())))
    out += _figure_texts(lang)
    return out


def _figure_texts(lang: str) -> list[tuple[str, str]]:
    """Texts of the figures: ``st.t(en=..., ko=...)`` in figures/*.py."""
    out = []
    for path in sorted((ROOT / "figures").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            for kw in getattr(node, "keywords", ()) if isinstance(node, ast.Call) else ():
                if kw.arg == lang and isinstance(kw.value, ast.Constant) \
                        and isinstance(kw.value.value, str):
                    out.append((f"{path.relative_to(ROOT).as_posix()}:{node.lineno}",
                                prose(kw.value.value)))
    return out


# ------------------------------------------------------------------ Korean
def _pattern(variant: str) -> re.Pattern:
    # "국소 최소점" also matches "국소최소점"
    return re.compile(r"\s*".join(re.escape(part) for part in variant.split()))


def avoided(text: str, terms=None) -> list[tuple[int, str, registry.Term]]:
    """``(line, variant, term)`` for each avoided Korean variant in ``text``.

    A variant inside a glossary word does not count: 상호 정보 (avoided for
    mutual information) inside 상호 정보량, 모형 (avoided for model) inside
    이징 모형, the name the site keeps.
    """
    terms = list(registry.glossary() if terms is None else terms)
    words = {t.ko for t in terms} | {t.ko for t in registry.glossary()}
    out = []
    for term in terms:
        for variant in term.avoid:
            pattern = _pattern(variant)
            kept = [m.span() for word in words if pattern.search(word)
                    for m in _pattern(word).finditer(text)]
            for m in pattern.finditer(text):
                if not any(a <= m.start() and m.end() <= b for a, b in kept):
                    out.append((text.count("\n", 0, m.start()) + 1, m.group(0), term))
    return sorted(out, key=lambda x: x[0])


def test_korean_pages_use_the_glossary_words():
    problems = []
    for where, text in sources("ko"):
        terms = registry.glossary()
        if where.startswith("data/glossary.yml: "):
            # a term's own definition may name its variants for the reader
            own = where.split(": ", 1)[1]
            terms = [t for t in terms if t.id != own]
        for line, variant, term in avoided(text, terms):
            at = f"{where}:{line}" if where.endswith(".md") else where
            problems.append(
                f"{at}: '{variant}' -> write '{term.ko}' ({term.en}; data/glossary.yml "
                f"lists '{variant}' under avoid for {term.id})"
            )
    assert problems == [], "\n".join(problems)


def test_avoided_variants_are_no_glossary_word():
    # a variant that is another term's Korean word means two entries disagree
    terms = registry.glossary()
    def squeeze(word: str) -> str:
        return re.sub(r"\s+", "", word)

    words = {squeeze(t.ko): t.id for t in terms}
    clashes = [f"{t.id} avoids '{v}', the Korean word of {words[squeeze(v)]}"
               for t in terms for v in t.avoid if squeeze(v) in words]
    assert clashes == [], "\n".join(clashes)


def test_the_korean_check_finds_variants_but_not_code():
    def term(tid, ko, avoid):
        return registry.Term(tid, tid, ko, {"ko": "", "en": ""}, avoid=avoid)

    terms = [term("epoch", "에폭", ("에포크",)),
             term("local-minimum", "국소 최솟값", ("국소 최소점",)),
             term("mutual-information", "상호 정보량", ("상호 정보",))]
    text = prose("한 에포크마다\n\n```python\n# 에포크\n```\n\n"
                 "`에포크` 국소최소점에서\n상호 정보량과 상호 정보\n")
    assert [(line, v) for line, v, _ in avoided(text, terms)] == [
        (1, "에포크"), (7, "국소최소점"), (8, "상호 정보")]


# ----------------------------------------------------------------- English
#: Words in -ize that are not spellings of an -ise word.
_NOT_ISE = re.compile(r"(?<!the)(?<!pha)siz|^(seiz|priz|maiz|baiz)|^capsiz")
_OUR = ("behavio", "colo", "neighbo", "favo", "hono", "labo", "flavo", "harbo", "rumo",
        "humo", "vapo", "endeavo", "armo", "vigo")
_LL = ("model", "label", "signal", "travel", "cancel", "level", "tunnel", "channel", "fuel",
       "marshal", "counsel", "total")
_RE = {"center": "centre", "centers": "centres", "centered": "centred", "centering": "centring",
       "fiber": "fibre", "fibers": "fibres", "theater": "theatre"}


def british(word: str) -> str | None:
    """The site's (British) spelling of ``word``, or None if it is not American."""
    w = word.lower()
    m = re.fullmatch(r"([a-z]+)iz(e|es|ed|ing|er|ers|ation|ations|ational|able|ability)", w)
    if m and len(m.group(1)) >= 2 and not _NOT_ISE.search(w):
        return f"{m.group(1)}is{m.group(2)}"
    m = re.fullmatch(r"([a-z]+)yz(e|es|ed|ing|er|ers)", w)
    if m:
        return f"{m.group(1)}ys{m.group(2)}"
    ending = "s|al|ally|ism|isms|ist|ists|ed|ing|ful|hood|hoods|less|able|ite|ites"
    m = re.fullmatch(rf"({'|'.join(_OUR)})r({ending})?", w)
    if m:
        return f"{m.group(1)}ur{m.group(2) or ''}"
    m = re.fullmatch(rf"({'|'.join(_LL)})(ed|ing|er|ers)", w)
    if m:
        return f"{m.group(1)}l{m.group(2)}"
    return _RE.get(w)


def spelling_key(word: str) -> str:
    """One key for every spelling of a word (normalise, normalize -> normaliz...)."""
    w = word.lower()
    w = re.sub(r"is(e|es|ed|ing|er|ers|ation|ations|ational|able|ability)$", r"iz\1", w)
    w = re.sub(r"ys(e|es|ed|ing|er|ers)$", r"yz\1", w)
    w = re.sub(rf"^({'|'.join(_OUR)})ur", r"\1r", w)
    w = re.sub(rf"^({'|'.join(_LL)})l(ed|ing|er|ers)$", r"\1\2", w)
    return {b: a for a, b in _RE.items()}.get(w, w)


WORD = re.compile(r"(?<![\w'-])[A-Za-z]+(?![\w])")


def english_words():
    """``(where, line, word)`` for every Latin word of every source."""
    for lang in registry.LANGUAGES:
        for where, text in sources(lang):
            for k, line in enumerate(text.split("\n"), start=1):
                for m in WORD.finditer(line):
                    yield where, k, m.group(0)


def _at(where: str, line: int) -> str:
    return f"{where}:{line}" if where.endswith(".md") else where


def test_english_uses_the_site_spelling():
    problems = []
    for where, line, word in english_words():
        fix = british(word)
        if fix:
            if word[0].isupper():
                fix = fix[0].upper() + fix[1:]
            problems.append(f"{_at(where, line)}: '{word}' -> '{fix}' (the site spells British: "
                            "-ise, -yse, -our, -lled, -re; tests/site/test_vocabulary.py)")
    assert problems == [], "\n".join(problems)


def test_one_spelling_per_word():
    # catches pairs the rules above do not know (both spellings in use)
    seen: dict[str, dict[str, str]] = defaultdict(dict)
    for where, line, word in english_words():
        seen[spelling_key(word)].setdefault(word.lower(), _at(where, line))
    mixed = [f"{' / '.join(f'{w} ({at})' for w, at in sorted(forms.items()))}"
             for forms in seen.values() if len(forms) > 1]
    assert mixed == [], "one word, several spellings:\n" + "\n".join(sorted(mixed))


@pytest.mark.parametrize("word, fix", [
    ("normalize", "normalise"), ("Initialization", "initialisation"), ("optimizers", "optimisers"),
    ("emphasized", "emphasised"), ("analyze", "analyse"), ("behavior", "behaviour"),
    ("behaviorism", "behaviourism"), ("neighbors", "neighbours"), ("modeling", "modelling"),
    ("labeled", "labelled"), ("center", "centre"), ("centered", "centred"),
    ("size", None), ("resized", None), ("seize", None), ("prize", None), ("noise", None),
    ("precise", None), ("parameter", None), ("normalise", None), ("model", None),
    ("labelled", None), ("colour", None), ("color", "colour"),
    ("Renormalization", "renormalisation"),
])
def test_spelling_rules(word, fix):
    assert british(word) == fix  # the American form maps to the site's, others pass


def test_prose_leaves_out_code_math_links_and_quotes():
    text = prose(
        "The [He initialisation](../reference/glossary.md#he-initialization) `normalize`\n"
        "$\\text{optimize}$ <a id=\"regularization\"></a> a recently-developed "
        "regularization method\n\n```python\nx = normalize(y)\n```\n"
    )
    words = set(re.findall(r"[A-Za-z]+", text))
    assert "initialisation" in words  # link text is prose
    assert not words & {"initialization", "normalize", "optimize", "regularization"}
