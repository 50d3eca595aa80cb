// What the browser tests record of a page once it has loaded (conftest.py
// evaluates this on every page of both crawls). Returns plain data only.
async () => {
  const content = document.querySelector(".md-content");
  const text = content ? content.innerText : "";
  const prose = content ? content.cloneNode(true) : null;
  if (prose) prose.querySelectorAll("pre, code, .katex").forEach((e) => e.remove());
  const px = (el, prop) => parseFloat(getComputedStyle(el)[prop]);
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);

  // ------------------------------------------------------------- colours
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const v = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return {r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1};
  };
  const over = (fg, bg) => ({
    r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a),
    b: fg.b * fg.a + bg.b * (1 - fg.a), a: 1});
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const background = (el) => {
    // composite the backgrounds from the page down to the element
    const chain = [];
    for (let e = el; e; e = e.parentElement) chain.push(e);
    let bg = {r: 255, g: 255, b: 255, a: 1};
    for (const e of chain.reverse()) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) bg = over(c, bg);
    }
    return bg;
  };

  // every highlighted code token: contrast against its block's background
  const code = new Map();
  document.querySelectorAll(".md-typeset .highlight code").forEach((block) => {
    const bg = background(block);
    const seen = new Set();
    const tokens = [block, ...block.querySelectorAll("span[class]")];
    for (const el of tokens) {
      if (!visible(el) || !el.textContent.trim()) continue;
      const key = `${el.className}|${getComputedStyle(el).color}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const localBg = el.closest(".hll") ? background(el.closest(".hll")) : bg;
      const fg = over(parse(getComputedStyle(el).color), localBg);
      const r = ratio(fg, localBg);
      const k = `${el.tagName === "CODE" ? "code" : el.className}`;
      if (!code.has(k) || code.get(k).ratio > r)
        code.set(k, {token: k, ratio: Math.round(r * 100) / 100, sample: el.textContent.trim().slice(0, 30)});
    }
  });

  // ------------------------------------------------------------- layout
  const doc = document.documentElement;
  const displays = [...document.querySelectorAll(".md-typeset div.arithmatex")].filter(visible).map((d) => {
    const inner = d.querySelector(".katex-display") || d.firstElementChild;
    const box = d.getBoundingClientRect();
    const r = inner ? inner.getBoundingClientRect() : box;
    const style = getComputedStyle(d);
    return {
      overflow: d.scrollWidth - d.clientWidth,
      scrolls: ["auto", "scroll"].includes(style.overflowX),
      focusable: d.tabIndex >= 0,
      left: Math.round(box.left), right: Math.round(box.right),
      formulaWidth: Math.round(r.width),
      tex: (d.querySelector("annotation") || {}).textContent || d.innerText.slice(0, 60),
    };
  });
  const admonitionPx = [...document.querySelectorAll(".md-typeset .admonition > p:not(.admonition-title), .md-typeset details > p")]
    .filter(visible).map((p) => px(p, "fontSize"));

  // layout shift so far (buffered entries of this page load)
  const cls = await new Promise((resolve) => {
    let total = 0;
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) total += e.value;
      }).observe({type: "layout-shift", buffered: true});
    } catch (e) { /* not supported */ }
    setTimeout(() => resolve(total), 50);
  });

  return {
    url: location.pathname,
    lang: doc.lang,
    title: document.title,
    h1: (document.querySelector(".md-content h1") || {}).innerText || "",
    text: text,
    arithmatex: document.querySelectorAll(".arithmatex").length,
    katex: document.querySelectorAll(".katex").length,
    mathml: document.querySelectorAll(".katex .katex-mathml math").length,
    katexErrors: document.querySelectorAll(".katex-error").length,
    rawMath: prose
      ? (prose.textContent.match(/\$\$|\$[^$\n]+\$|\\\(|\\\[/g) || []).length : 0,
    scripts: [...document.scripts].map((s) => s.src).filter(Boolean),
    figures: [...document.querySelectorAll(".md-typeset img")]
      .filter((i) => new URL(i.src).pathname.includes("/figures/"))
      .map((i) => ({
        src: new URL(i.src).pathname, alt: i.alt, visible: visible(i),
        complete: i.complete, naturalWidth: i.naturalWidth, width: i.clientWidth,
        widthAttr: i.getAttribute("width"), heightAttr: i.getAttribute("height"),
        inFigure: !!i.closest("figure"), caption: (i.closest("figure")?.querySelector("figcaption") || {}).innerText || "",
      })),
    pageOverflow: doc.scrollWidth - doc.clientWidth,
    viewport: doc.clientWidth,
    displays: displays,
    admonitionPx: admonitionPx,
    bodyPx: content ? px(content.querySelector(".md-typeset") || content, "fontSize") : 0,
    code: [...code.values()],
    cls: cls,
    wordBreak: getComputedStyle(document.body).wordBreak,
    fontFamily: getComputedStyle(document.body).fontFamily,
    emStyle: (() => {
      const em = document.querySelector(".md-typeset em");
      return em ? getComputedStyle(em).fontStyle : null;
    })(),
    scheme: document.body.getAttribute("data-md-color-scheme"),
  };
}
