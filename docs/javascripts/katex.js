// Render $...$ and $$...$$ (wrapped by pymdownx.arithmatex, generic mode)
// with the KaTeX copy shipped in docs/assets/katex: no request leaves the site.
function renderMath() {
  document.querySelectorAll(".arithmatex").forEach(function (el) {
    renderMathInElement(el, {
      delimiters: [
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true },
      ],
      throwOnError: false,
    });
  });
}
if (typeof document$ !== "undefined") {
  document$.subscribe(renderMath);   // Material's page-load observable
} else {
  document.addEventListener("DOMContentLoaded", renderMath);
}
