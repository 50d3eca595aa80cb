"""`make oldest`: the unit tests and docstring examples with the oldest
versions that pyproject.toml's ranges allow.

pyproject.toml promises numpy, scipy and scikit-learn from the versions in
``oldest.txt`` (beside this file) on; this checks the promise. It builds the
wheel, installs it with ``[torch]`` into a throwaway venv under the system's
temporary folder with those versions (everything else at the versions of
constraints.txt), copies the package's unit tests (and the sources their
docstring examples are collected from) there, and runs
``pytest tests/unit physdl_docs``. It takes about five minutes, so it is not
part of ``make test``; run it when a range or a lower bound changes.

Why these bounds: ``numpy.lib.array_utils`` (used by physdl_docs.autodiff)
is numpy 2.0's; scipy before 1.13 and scikit-learn before 1.4.2 were built
against numpy 1 and declare ``numpy<2``, so pip cannot install them beside
numpy 2. torch: 2.13.0 is the oldest CPU build this project's machines can
install (PyPI's Linux wheels of older releases are CUDA builds).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OLDEST = Path(__file__).with_name("oldest.txt")


def _names(lines: list[str]) -> set[str]:
    return {line.split("==")[0].lower().replace("_", "-") for line in lines}


def _lines(path: Path) -> list[str]:
    return [x.split("#")[0].strip() for x in path.read_text().splitlines()
            if x.split("#")[0].strip()]


def main() -> int:
    oldest = _lines(OLDEST)
    pinned = [x for x in _lines(ROOT / "constraints.txt") if _names([x]) - _names(oldest)]
    work = Path(tempfile.mkdtemp(prefix="physdl-oldest-"))
    print(f"oldest: {', '.join(oldest)} (in {work})", flush=True)
    (work / "constraints.txt").write_text("\n".join(pinned + oldest) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")

    def run(*cmd, cwd=work):
        subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, check=True)

    run(sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", work / "dist", ROOT,
        cwd=ROOT)
    wheel = next((work / "dist").glob("*.whl"))
    run(sys.executable, "-m", "venv", work / "venv")
    python = work / "venv" / "bin" / "python"
    index = os.environ.get("PHYSDL_TORCH_INDEX", "")
    run(python, "-m", "pip", "install", "--quiet", "--no-compile", "--retries", "1",
        "-c", work / "constraints.txt", *(["--extra-index-url", index] if index else []),
        f"{wheel}[torch]", "pytest", "pytest-timeout", "sybil")
    run(python, "-c", "import numpy, scipy, sklearn, torch; print('installed: numpy', "
        "numpy.__version__, 'scipy', scipy.__version__, 'scikit-learn', sklearn.__version__, "
        "'torch', torch.__version__)")
    # the tests and the sources Sybil reads the docstring examples from
    src = work / "src"
    for name in ("physdl_docs", "sitekit", "tests/unit"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(ROOT / name, src / name)
    done = subprocess.run([str(python), "-m", "pytest", "tests/unit", "physdl_docs", "-q",
                           "-p", "no:cacheprovider"], cwd=src, env=env, check=False)
    if done.returncode == 0:
        shutil.rmtree(work)
    else:
        print(f"failed; the venv and the copy are left in {work}", file=sys.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
