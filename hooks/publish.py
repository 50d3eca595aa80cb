"""mkdocs hook: what the site publishes besides its pages' bodies.

- **Search per language.** Material's search plugin (with mkdocs-static-i18n)
  writes one index for both languages and every page loads it. This hook
  keeps each build language's own entries (before the i18n plugin merges and
  de-duplicates them) and writes ``search/search_index.json`` for Korean and
  ``en/search/search_index.json`` for English, UTF-8 rather than ``\\uXXXX``
  escapes. English pages get ``en/`` as their search base (the ``base`` of
  Material's ``__config``), so they fetch only the English index and its
  result links resolve under ``/en/``. The index is kept light (under
  500 KB): plain text, no code blocks, each section's opening words as they
  are and then only the words its page has not indexed yet, API entries
  with their first sentence (`light_entries`).
- **Sitemaps.** ``sitemap.xml`` lists the Korean pages and
  ``en/sitemap.xml`` the English ones, each with its ``hreflang``
  alternates. Material fetches ``sitemap.xml`` beside every alternate-language
  link of a page (to map pages between languages); each page directory gets
  a one-entry sitemap there, so those requests do not 404.
- **Meta description** of every page in its language (the goal box, else the
  first paragraph), used by the template for ``<meta name="description">``
  and Open Graph (``overrides/main.html``).
- **Size limits.** Files no reader loads and that exceed the 500 KB file
  budget are not published: Material's source maps and its Thai word
  segmenter.
"""

from __future__ import annotations

import gzip
import html
import json
import logging
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import escape

from mkdocs.plugins import CombinedEvent, event_priority

log = logging.getLogger("mkdocs.hooks.publish")

#: Korean at /, English at /en/ (mkdocs-static-i18n, suffix layout)
DEFAULT_LANG = "ko"
#: not published: no reader loads them (source maps, Thai segmentation)
UNPUBLISHED = ("assets/javascripts/*.map", "assets/javascripts/lunr/wordcut.js")
DESCRIPTION_CHARS = {"ko": 110, "en": 160}

_entries: dict[str, list[dict]] = {}  # build language -> its search entries


# ------------------------------------------------------------------ helpers
def _lang(page=None, config=None) -> str:
    locale = getattr(getattr(page, "file", None), "locale", None)
    if locale is None and config is not None:
        locale = config.theme.get("language")
    return "en" if str(locale or DEFAULT_LANG).startswith("en") else "ko"


def _i18n(config):
    return config.plugins.get("i18n")


def _default_lang(config) -> str:
    """The language served at / (English in ``make serve LANG=en``)."""
    i18n = _i18n(config)
    for language in (i18n.config.languages if i18n is not None else []):
        if language.default:
            return "en" if language.locale.startswith("en") else "ko"
    return DEFAULT_LANG


def _search(config):
    return config.plugins.get("material/search") or config.plugins.get("search")


_BLOCK = re.compile(r"</?(?:p|li|ul|ol|div|br|h\d|tr|td|th|table|pre|dd|dt|dl)\b[^>]*>")


def text_of(fragment: str) -> str:
    """Visible text of an HTML fragment (math: hooks/katex.py's plain text)."""
    fragment = re.sub(r"<a class=\"headerlink\".*?</a>", "", fragment, flags=re.S)
    fragment = re.sub(r"<[^>]+>", "", _BLOCK.sub(" ", fragment))
    text = html.unescape(fragment)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s+([.,;:!?)\]])", r"\1", re.sub(r"([(\[])\s+", r"\1", text))


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:") + "…"


class _Paragraphs(HTMLParser):
    """Each ``<p>``'s HTML with the classes of the admonitions around it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []  # classes of the open <div>s
        self.found: list[tuple[str, str]] = []  # (admonition classes, html)
        self.current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "div":
            self.stack.append(dict(attrs).get("class") or "")
        elif tag == "p" and self.current is None:
            cls = dict(attrs).get("class") or ""
            self.current = [] if "admonition-title" not in cls else None
        elif self.current is not None:
            self.current.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag):
        if tag == "div" and self.stack:
            self.stack.pop()
        elif tag == "p" and self.current is not None:
            around = " ".join(c for c in self.stack if "admonition" in c)
            self.found.append((around, "".join(self.current)))
            self.current = None
        elif self.current is not None:
            self.current.append(f"</{tag}>")

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")


def description(content: str, lang: str) -> str:
    """The goal box's text, else the first paragraph outside any box."""
    parser = _Paragraphs()
    parser.feed(content)
    paragraphs = [(around, text_of(p)) for around, p in parser.found]
    goal = [t for around, t in paragraphs if "abstract" in around.split()]
    prose = [t for around, t in paragraphs if not around and len(t) > 40]
    for text in goal[:1] or prose[:1]:
        return shorten(text, DESCRIPTION_CHARS[lang])
    return ""


# ------------------------------------------------------------------ events
def on_config(config, **kwargs):
    i18n = _i18n(config)
    if i18n is None or not i18n.building:
        _entries.clear()  # a new (outer) build
    return config


_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


@event_priority(-10)  # after hooks/katex.py has rendered the math
def on_page_content(html_text, page, config, files, **kwargs):
    if re.fullmatch(r"index\.(ko|en)\.md", page.file.src_uri) and not page.meta.get("title"):
        h1 = _H1.search(html_text)
        if h1:  # the home page's title: its heading, not "Home"
            page.meta["title"] = text_of(h1[1])
    if not page.meta.get("description"):
        found = description(html_text, _lang(page, config))
        if found:
            page.meta["description"] = found
    return html_text


_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


_ALTERNATE = re.compile(r'(<link rel="alternate" href=")([^"]+)(" hreflang="[^"]+">)')


def on_post_page(output, page, config, **kwargs):
    # hreflang alternates as full URLs, as search engines (and Lighthouse) require
    if page.canonical_url:
        output = _ALTERNATE.sub(
            lambda m: m[1] + urljoin(page.canonical_url, html.unescape(m[2])) + m[3], output)
    lang = _lang(page, config)
    if lang == _default_lang(config):
        return output

    def rebase(m: re.Match) -> str:
        data = json.loads(m[2])
        data["base"] = data["base"].rstrip("/") + f"/{lang}/"
        return m[1] + json.dumps(data, ensure_ascii=False, separators=(",", ":")) + m[3]

    return _CONFIG.sub(rebase, output, count=1)


# after the search plugin (0) has its full entries (it merges the previous
# ones under --dirtyreload), before mkdocs-static-i18n (-100) merges languages
@event_priority(-50)
def _keep_entries(config, **kwargs):
    search = _search(config)
    if search is not None and getattr(search, "search_index", None) is not None:
        _entries[_lang(config=config)] = [dict(e) for e in search.search_index.entries]


def on_startup(command, dirty, **kwargs):
    # `make serve LANG=..` (--dirtyreload) rebuilds one page at a time: the
    # search index and sitemaps then stay as the search plugin writes them
    os.environ["PHYSDL_DIRTY_SERVE"] = "1" if command == "serve" and dirty else ""


@event_priority(-110)  # after every language is built and the merged index written
def _publish(config, **kwargs):
    i18n = _i18n(config)
    if i18n is not None and i18n.building:
        return  # a nested language build: the outer build finishes the job
    if os.environ.get("PHYSDL_DIRTY_SERVE"):
        return
    site = Path(config.site_dir)
    write_search_indexes(site, config)
    write_sitemaps(site, config.site_url or "")
    for pattern in UNPUBLISHED:
        for path in site.glob(pattern):
            path.unlink()


on_post_build = CombinedEvent(_keep_entries, _publish)


# ------------------------------------------------------------ search index
SNIPPET_CHARS = 200
#: Korean particles and endings trimmed from the indexed words (search
#: matches prefixes, so "네트워크" still finds "네트워크에서")
_PARTICLES = sorted(
    "에서는 에서도 에서 으로는 으로도 으로써 으로서 으로 에게 에는 에도 과는 와는 이나 이다 "
    "이고 이며 이면 입니다 합니다 했습니다 됩니다 까지 부터 처럼 보다 만큼 마다 "
    "은 는 이 가 을 를 의 에 와 과 로 도 만".split(), key=len, reverse=True)
_PARTICLE = re.compile(r"^([가-힣A-Za-z0-9_]{2,}?)(?:%s)$" % "|".join(_PARTICLES))
_PUNCT = ".,;:!?()[]{}\"'“”‘’…·"


#: inflected verbs and adjectives: nobody searches for "줄어듭니다"
_VERBAL = re.compile(
    r"(니다|었다|였다|했다|한다|된다|하는|되는|하고|하며|하면|해서|하여|하게|해야|하지|되고|"
    r"되며|되면|되어|돼서|한|된|할|될|던|려면|도록|지만|는데|으면|면서|어서|아서|었고|였고|"
    r"었는|였는)$")


def _word(word: str) -> str:
    """A word as indexed beyond a section's snippet ("" leaves it out)."""
    word = word.strip(_PUNCT)
    if len(word) < 2:
        return ""
    if re.search("[가-힣]", word):
        if _VERBAL.search(word):
            return ""
        m = _PARTICLE.match(word)
        return m[1] if m else word
    return word


def light_entries(entries: list[dict], lang: str, default: str = DEFAULT_LANG) -> list[dict]:
    """A language's search entries, light enough for one small index.

    Each section keeps its title and its first `SNIPPET_CHARS` characters as
    plain text (what a result shows); the rest of its text is reduced to
    the words the page has not indexed yet (Korean particles trimmed,
    inflected verbs and one-letter words left out). Code
    blocks are left out; an API entry keeps its name and first sentence.
    """
    out = []
    seen: dict[str, set[str]] = {}
    for entry in entries:
        entry = dict(entry)
        location = entry["location"]
        page = location.split("#")[0]
        text = text_of(re.sub(r"<pre>.*?</pre>", "", entry.get("text", ""), flags=re.S))
        if "reference/api/" in page:
            text = shorten(re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0], 120)
        head, rest = text[:SNIPPET_CHARS], text[SNIPPET_CHARS:]
        words = seen.setdefault(page, set())
        words.update(_word(w) for w in head.split())
        extra = []
        for w in map(_word, rest.split()):
            if w and w not in words:
                words.add(w)
                extra.append(w)
        if lang != default and location.startswith(f"{lang}/"):
            location = location[len(lang) + 1 :]
        entry.update(location=location,
                     text=html.escape(" ".join([head, *extra]).strip(), quote=False))
        out.append(entry)
    return out


def write_search_indexes(site: Path, config) -> None:
    path = site / "search" / "search_index.json"
    if not path.exists() or not _entries:
        return
    merged = json.loads(path.read_text(encoding="utf-8"))
    default = _default_lang(config)
    for lang, entries in _entries.items():
        index = {
            "config": dict(merged["config"],
                           lang=["ko", "en"] if lang == "ko" else ["en"]),
            "docs": light_entries(entries, lang, default),
        }
        target = site / ("" if lang == default else lang) / "search" / "search_index.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
        target.write_text(data, encoding="utf-8")
        log.info("search index %s: %d entries, %d KB", lang, len(index["docs"]),
                 len(data.encode()) // 1024)


# --------------------------------------------------------------- sitemaps
_URL = re.compile(r"<url>(.*?)</url>", re.S)
_LOC = re.compile(r"<loc>(.*?)</loc>")
_ALT = re.compile(r'<xhtml:link rel="alternate" hreflang="([^"]+)" href="([^"]+)"\s*/>')
_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
         '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
         'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n')


def _url_xml(loc: str, alternates: list[tuple[str, str]]) -> str:
    lines = [f"  <url>\n    <loc>{escape(loc)}</loc>"]
    lines += [f'    <xhtml:link rel="alternate" hreflang="{h}" href="{escape(a)}"/>'
              for h, a in alternates]
    return "\n".join(lines) + "\n  </url>\n"


def _write_sitemap(path: Path, urls: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (_HEAD + "".join(urls) + "</urlset>\n").encode("utf-8")
    path.write_bytes(data)


def write_sitemaps(site: Path, site_url: str) -> None:
    path = site / "sitemap.xml"
    if not path.exists():
        return
    base = urlsplit(site_url).path or "/"
    by_lang: dict[str, list[str]] = {"ko": [], "en": []}
    single: dict[Path, str] = {}
    for body in _URL.findall(path.read_text(encoding="utf-8")):
        loc = html.unescape(_LOC.search(body)[1])
        alternates = [(h, html.unescape(a)) for h, a in _ALT.findall(body)]
        rel = urlsplit(loc).path[len(base):] if urlsplit(loc).path.startswith(base) else ""
        lang = "en" if rel.startswith("en/") or rel == "en" else "ko"
        xml = _url_xml(loc, alternates)
        by_lang[lang].append(xml)
        single[site / rel / "sitemap.xml"] = xml
    targets = {"ko": path, "en": site / "en" / "sitemap.xml"}
    for lang, urls in by_lang.items():
        _write_sitemap(targets[lang], urls)
        with gzip.GzipFile(targets[lang].with_suffix(".xml.gz"), "wb", mtime=0) as f:
            f.write(targets[lang].read_bytes())
    for target, xml in single.items():
        if target not in targets.values() and target.parent.is_dir():
            _write_sitemap(target, [xml])
