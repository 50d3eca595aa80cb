"""Lighthouse on three lessons in both languages (``make audit``).

Builds the site for the local server it is audited on (canonical and
``hreflang`` URLs then point at that server, as on GitHub Pages they point at
the site), serves it with gzip as GitHub Pages does (``browserkit.serve``),
and runs the npm ``lighthouse`` package with its default mobile preset
(simulated slow 4G and a 4x slower CPU) in Debian's chromium. Prints the four
category scores per page and every audit that lost points, and exits 1 if a
score is under ``--min`` (95). Not part of ``make test``: Lighthouse needs
Node and takes about a minute per page.

Lighthouse is installed by the caller (``make audit`` runs ``npm install``
into ``.audit/node_modules``, never globally); ``--lighthouse`` names its CLI.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from browserkit import CHROMIUM, serve  # noqa: E402

PAGES = ["physics/hopfield/", "history/backprop/", "training/momentum/"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(out: Path, url: str) -> None:
    env = dict(os.environ, PHYSDL_SITE_URL=url, NO_MKDOCS_2_WARNING="1")
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)


def lighthouse(cli: Path, url: str, out: Path) -> dict:
    env = dict(os.environ, CHROME_PATH=str(CHROMIUM))
    cmd = [
        "node", str(cli), url, "--quiet", "--output=json", f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    subprocess.run(cmd, env=env, check=True, timeout=600)
    return json.loads(out.read_text(encoding="utf-8"))


def lost_points(report: dict) -> list[str]:
    """Audits of the four categories that count and did not pass."""
    out = []
    for cat in CATEGORIES:
        for ref in report["categories"][cat]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref.get("weight", 0) and audit.get("score") is not None and audit["score"] < 1:
                shown = audit.get("displayValue", "")
                out.append(f"    {cat}: {ref['id']} ({audit['score']:.2f}) {audit['title']}"
                           + (f" — {shown}" if shown else ""))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lighthouse", type=Path,
                        default=ROOT / ".audit/node_modules/lighthouse/cli/index.js")
    parser.add_argument("--min", type=float, default=95)
    parser.add_argument("--site", type=Path, help="a site already built for --port")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("pages", nargs="*", default=None)
    args = parser.parse_args(argv)
    if not args.lighthouse.exists():
        print(f"{args.lighthouse} missing: run `make audit` (it installs lighthouse)")
        return 2
    pages = args.pages or [p for page in PAGES for p in (page, "en/" + page)]
    port = args.port or free_port()
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryDirectory(prefix="physdl-audit-") as tmp:
        site = args.site
        if site is None:
            site = Path(tmp) / "site"
            print(f"building the site for {url} ...", flush=True)
            build(site, url)
        server, base = serve(site, port)
        failed = False
        rows = []
        try:
            for page in pages:
                out = Path(os.environ.get("PHYSDL_AUDIT_DIR", tmp)) / (
                    page.strip("/").replace("/", "_") + ".json")
                report = lighthouse(args.lighthouse, url + page, out)
                scores = {c: round(100 * (report["categories"][c]["score"] or 0))
                          for c in CATEGORIES}
                failed |= min(scores.values()) < args.min
                rows.append((page, scores, lost_points(report)))
                print(f"/{page}: " + "  ".join(f"{c} {s}" for c, s in scores.items()), flush=True)
        finally:
            server.shutdown()
    print(f"\nLighthouse (mobile preset, gzip), minimum {args.min:g}:")
    print(f"{'page':32} " + " ".join(f"{c[:13]:>14}" for c in CATEGORIES))
    for page, scores, lost in rows:
        print(f"/{page:31} " + " ".join(f"{scores[c]:>14}" for c in CATEGORIES))
        print("\n".join(lost) if lost else "    every scored audit passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
