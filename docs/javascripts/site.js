// A display formula wider than its column scrolls inside its own box
// (stylesheets/extra.css); make exactly those boxes reachable by keyboard,
// so they can be scrolled without a mouse (axe-core:
// scrollable-region-focusable). Math itself is rendered at build time.
(function () {
  function mark() {
    var boxes = Array.prototype.slice.call(
      document.querySelectorAll(".md-typeset div.arithmatex"));
    // measure every box first, then change attributes: one layout, not one each
    var wide = boxes.map(function (el) { return el.scrollWidth > el.clientWidth + 1; });
    boxes.forEach(function (el, i) {
      if (wide[i]) el.tabIndex = 0;
      else el.removeAttribute("tabindex");
    });
  }
  var pending = 0;
  function later() {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(mark);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
  window.addEventListener("resize", later);

  // Landmarks stay unique (axe-core: landmark-unique). Material wraps each
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
        if (n.nodeType === 1) landmarks(n.parentNode || n);
      });
    });
  }).observe(document.body, {childList: true, subtree: true});
  if (document.fonts) document.fonts.ready.then(mark);
})();
