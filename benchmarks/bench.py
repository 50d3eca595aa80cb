"""Time the heavy kernels of physdl_docs against the obvious alternatives.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench.py``). Each
row times the package's kernel and a baseline doing the same work, checks
that both give the same (or statistically the same) answer, and prints
baseline time / package time. Then it times the whole snippet suite
(``pytest docs``) and the site build (``mkdocs build --strict``).

- Ising: ``ising.metropolis`` (checkerboard, vectorised) vs a Python loop
  over sites, per sweep.
- Hopfield: ``HopfieldNetwork.recall`` (local fields updated incrementally)
  vs a recall that recomputes ``h = W @ s`` before every single-neuron
  update, with the same update order (so the final states must be equal).
- RBM: ``rbm.RBM.fit`` vs ``sklearn.neural_network.BernoulliRBM.fit``, same
  hyperparameters, per epoch on the binarised 8x8 digits.

A module that is missing is skipped with a message. Timings are the best of
a few repeats (``--quick`` uses fewer sweeps and repeats), on one BLAS
thread unless ``OPENBLAS_NUM_THREADS`` is set.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# One BLAS thread, as for the snippets (conftest.py): every row compares
# single-core work, and idle BLAS threads spinning on a loaded machine make
# the matrix-vector baseline erratic. Must be set before numpy is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROWS: list[tuple[str, float, float, str, str]] = []
SKIPPED: list[str] = []


def best_of(fn, repeat: int) -> tuple[float, object]:
    """Smallest wall time of ``repeat`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def module(name: str, *attributes: str):
    """Import ``physdl_docs.<name>``, or record why it is skipped."""
    try:
        mod = importlib.import_module(f"physdl_docs.{name}")
        for attribute in attributes:
            getattr(mod, attribute)
        return mod
    except (ImportError, AttributeError) as error:
        SKIPPED.append(f"physdl_docs.{name}: {type(error).__name__}: {error}")
        print(f"  skipped: physdl_docs.{name} is not available ({error})")
        return None


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:7.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:7.2f} ms"
    return f"{seconds:7.2f} s "


# ------------------------------------------------------------------- Ising
def naive_metropolis(s: np.ndarray, T: float, n_sweeps: int, rng) -> np.ndarray:
    """Metropolis with a Python loop over sites (typewriter order)."""
    s = s.copy()
    L = s.shape[0]
    for _ in range(n_sweeps):
        for i in range(L):
            for j in range(L):
                # dE = 2 s_ij (sum of the four neighbours), periodic
                nb = (s[(i + 1) % L, j] + s[i - 1, j]
                      + s[i, (j + 1) % L] + s[i, j - 1])
                dE = 2.0 * s[i, j] * nb
                if dE <= 0 or rng.random() < np.exp(-dE / T):
                    s[i, j] = -s[i, j]
    return s


def bench_ising(quick: bool) -> None:
    ising = module("ising", "metropolis")
    if ising is None:
        return
    L, T = 64, 2.0
    n_fast, n_slow = (50, 2) if quick else (200, 5)
    up = np.ones((L, L))
    t_fast, s_fast = best_of(
        lambda: ising.metropolis(L, T, n_fast, rng=0, spins=up), 3)
    t_slow, s_slow = best_of(
        lambda: naive_metropolis(up, T, n_slow, np.random.default_rng(0)), 1)
    # both samplers should stay ordered near Yang's m(T=2) = 0.911
    m_fast, m_slow = abs(s_fast.mean()), abs(s_slow.mean())
    ROWS.append((
        f"Ising Metropolis, one sweep of {L}x{L}",
        t_fast / n_fast, t_slow / n_slow, "Python loop over sites",
        f"|m| at T={T}: {m_fast:.3f} vs {m_slow:.3f}",
    ))


# ---------------------------------------------------------------- Hopfield
def naive_recall(W: np.ndarray, state: np.ndarray, max_sweeps: int, rng) -> np.ndarray:
    """Asynchronous recall recomputing h = W s before every update."""
    s = state.astype(np.float64).copy()
    N = s.size
    for _ in range(max_sweeps):
        n_flips = 0
        for i in rng.permutation(N):
            h = W @ s  # the whole field, every time
            if s[i] * h[i] < 0:
                s[i] = -s[i]
                n_flips += 1
        if n_flips == 0:
            break
    return s


def bench_hopfield(quick: bool) -> None:
    hopfield = module("hopfield", "HopfieldNetwork")
    if hopfield is None:
        return
    # N - 1 and P odd: no local field is exactly 0, so both recalls make the
    # same decisions and must end in the same state
    N, P = (501, 51) if quick else (1001, 101)
    rng = np.random.default_rng(0)
    xi = rng.choice([-1.0, 1.0], size=(P, N))
    net = hopfield.HopfieldNetwork(n_neurons=N)
    net.store(xi)
    cue = xi[0].copy()
    cue[rng.choice(N, size=N // 5, replace=False)] *= -1  # 20 % flipped
    t_fast, s_fast = best_of(
        lambda: net.recall(cue, max_sweeps=20, rng=1), 5)
    W = np.asarray(net.weights)
    t_slow, s_slow = best_of(
        lambda: naive_recall(W, cue, 20, np.random.default_rng(1)), 1)
    same = bool(np.array_equal(np.asarray(s_fast), s_slow))
    overlap = float(np.asarray(s_fast) @ xi[0]) / N
    ROWS.append((
        f"Hopfield recall, N={N}, P={P}",
        t_fast, t_slow, "recompute W @ s per update",
        f"same final state: {same}, overlap {overlap:.3f}",
    ))
    if not same:
        print("  WARNING: the two Hopfield recalls ended in different states")


# --------------------------------------------------------------------- RBM
def bench_rbm(quick: bool) -> None:
    rbm = module("rbm", "RBM")
    if rbm is None:
        return
    from sklearn.datasets import load_digits
    from sklearn.neural_network import BernoulliRBM

    X = (load_digits().data / 16.0 > 0.5).astype(np.float64)  # [1797, 64]
    n_iter = 2 if quick else 5
    params = {"n_components": 64, "learning_rate": 0.1, "batch_size": 10,
              "n_iter": n_iter}
    t_fast, ours = best_of(
        lambda: rbm.RBM(**params, k=1, persistent=False, random_state=0).fit(X), 3)
    t_slow, theirs = best_of(
        lambda: BernoulliRBM(**params, random_state=0).fit(X), 3)
    # quality: exact mean pseudo-log-likelihood of both trained models
    check = ""
    try:
        twin = rbm.RBM(**params, random_state=0).fit(X[:10])
        twin.components_ = theirs.components_.copy()
        twin.intercept_hidden_ = theirs.intercept_hidden_.copy()
        twin.intercept_visible_ = theirs.intercept_visible_.copy()
        pll_ours = ours.pseudo_log_likelihood(X).mean()
        pll_theirs = twin.pseudo_log_likelihood(X).mean()
        check = f"PLL/sample {pll_ours:.2f} vs {pll_theirs:.2f}"
    except (AttributeError, TypeError, ValueError) as error:  # timing stands
        check = f"(no PLL check: {error})"
    ROWS.append((
        f"RBM CD-1 epoch, digits {X.shape[0]}x{X.shape[1]}, H=64",
        t_fast / n_iter, t_slow / n_iter, "sklearn BernoulliRBM", check,
    ))


# ------------------------------------------------------------- whole runs
def wall(command: list[str]) -> tuple[float, int, str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    lines = (done.stdout + done.stderr).strip().splitlines()
    return time.perf_counter() - start, done.returncode, lines[-1] if lines else ""


def bench_runs() -> list[tuple[str, float, int, str]]:
    bin_dir = Path(sys.executable).parent
    runs = []
    seconds, code, last = wall(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "docs"])
    runs.append(("snippet suite (pytest docs)", seconds, code, last))
    with tempfile.TemporaryDirectory() as site:
        seconds, code, last = wall(
            [str(bin_dir / "mkdocs"), "build", "--strict", "-q", "-d", site])
    runs.append(("mkdocs build --strict (both languages)", seconds, code, last))
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--no-runs", action="store_true",
                        help="skip timing pytest docs and mkdocs build")
    args = parser.parse_args()

    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs, "
          f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
    print("timing kernels ...")
    bench_ising(args.quick)
    bench_hopfield(args.quick)
    bench_rbm(args.quick)

    print()
    print(f"{'kernel':<42} {'package':>10} {'baseline':>10} {'ratio':>8}  baseline / check")
    for name, fast, slow, baseline, check in ROWS:
        print(f"{name:<42} {fmt(fast):>10} {fmt(slow):>10} {slow / fast:7.1f}x"
              f"  {baseline}; {check}")
    print("ratio = baseline time / package time (> 1: the package is faster)")

    failed = False
    if not args.no_runs:
        print()
        for name, seconds, code, last in bench_runs():
            status = "ok" if code == 0 else f"FAILED (exit {code})"
            print(f"{name:<42} {seconds:8.1f} s  {status}  [{last}]")
            failed |= code != 0
    if SKIPPED:
        print()
        print("skipped:")
        for line in SKIPPED:
            print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
