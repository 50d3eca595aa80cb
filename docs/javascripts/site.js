// Two small fixes the theme does not make. Math is rendered at build time.
// 1. A box wider than its column (a display formula, a table) scrolls
//    inside itself (stylesheets/extra.css): make exactly those boxes
//    reachable by keyboard (axe-core: scrollable-region-focusable).
(function () {
  // Boxes that may scroll sideways: display formulas and the wrappers
  // Material puts around tables. One that is wider than its column gets
  // into the tab order, so a keyboard can scroll it. A ResizeObserver sees
  // each box once it is laid out and whenever it changes (fonts, rotation).
  var BOXES = ".md-typeset div.arithmatex, .md-typeset .md-typeset__scrollwrap";
  var observer = new ResizeObserver(function (entries) {
    var boxes = entries.map(function (e) { return e.target; });
    // measure every box first, then change attributes: one layout, not one each
    var wide = boxes.map(function (el) { return el.scrollWidth > el.clientWidth; });
    boxes.forEach(function (el, i) {
      if (wide[i]) el.tabIndex = 0;
      else el.removeAttribute("tabindex");
    });
  });
  function watch(root) {
    if (root.matches && root.matches(BOXES)) observer.observe(root);
    if (root.querySelectorAll) root.querySelectorAll(BOXES).forEach(function (el) {
      observer.observe(el);
    });
  }
  watch(document);

  // 2. Landmarks stay unique (axe-core: landmark-unique). Material wraps each
  // code block's copy button in a <nav>, repeats the table of contents
  // inside the main navigation (for the drawer on small screens), and nests
  // a <nav> named after each heading inside the table of contents (a
  // heading "목차" then clashes with the table's own name): none of these
  // is a landmark of its own, so they lose the role; their links and
  // buttons stay exactly as they are.
  function landmarks(root) {
    root.querySelectorAll("nav.md-code__nav, .md-nav--primary nav.md-nav--secondary, " +
                          ".md-nav--secondary nav.md-nav")
      .forEach(function (nav) {
        // a name would make browsers ignore role="none" (ARIA's conflict rule)
        nav.removeAttribute("aria-label");
        nav.setAttribute("role", "none");
      });
  }
  landmarks(document);
  new MutationObserver(function (records) {
    records.forEach(function (r) {
      r.addedNodes.forEach(function (n) {
        if (n.nodeType !== 1) return;
        landmarks(n.parentNode || n);
        watch(n);
      });
    });
  }).observe(document.body, {childList: true, subtree: true});
})();
