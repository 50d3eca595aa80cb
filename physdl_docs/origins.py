"""Toys from the psychology behind machine learning: bandits, Q-learning,
the Rescorla-Wagner rule and a lesioned distributed memory.

Taught in lesson 4.2.

- Operant conditioning -> reinforcement learning: a Bernoulli multi-armed
  bandit played by epsilon-greedy and UCB1 (`play_bandit`), with the UCB1
  regret bound of `auer2002` and the lower bound of `lai1985`.
- Tabular Q-learning on a small grid world (`q_learning`), checked against
  the optimal values from value iteration (`value_iteration`).
- Classical conditioning: the Rescorla-Wagner rule (`rescorla_wagner`), which
  is the least-mean-squares (delta) rule, and reproduces blocking.
- Connectionism: a Hopfield memory keeps working when many of its couplings
  are cut (`lesioned_recall`), because every memory is spread over all of
  them.

Numpy only.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_float,
    check_int,
)

__all__ = [
    "GridWorld",
    "greedy_policy",
    "lai_robbins_constant",
    "lesioned_recall",
    "log_fit",
    "plan_by_search",
    "play_bandit",
    "policy_values",
    "q_learning",
    "rescorla_wagner",
    "ucb1_bound",
    "value_iteration",
]

POLICIES = ("epsilon-greedy", "ucb1")


# ------------------------------------------------------------------ bandits
def play_bandit(means, T: int, policy: str, n_runs: int = 100,
                epsilon: float = 0.1, rng: RngLike = None) -> np.ndarray:
    """Play a Bernoulli bandit ``n_runs`` times in parallel; return the regret.

    Parameters
    ----------
    means : array_like of shape (K,)
        Success probability of each arm, in [0, 1].
    T : int
        Number of pulls per run (at least K: each arm is pulled once first).
    policy : {"epsilon-greedy", "ucb1"}
        epsilon-greedy: a uniformly random arm with probability ``epsilon``,
        else the arm with the best mean reward so far (ties broken at
        random). UCB1: the arm maximising mean + sqrt(2 ln t / n_j).
    n_runs : int, default=100
    epsilon : float, default=0.1
    rng : int, numpy Generator or None

    Returns
    -------
    ndarray of shape (n_runs, T)
        Cumulative pseudo-regret R(t) = sum_{s <= t} (mu* - mu_{A_s}).

    Notes
    -----
    UCB1 index of arm j after t pulls: xbar_j + sqrt(2 ln t / n_j).

    References
    ----------
    `auer2002`, `sutton2018`

    Examples
    --------
    >>> R = play_bandit([0.2, 0.8], T=500, policy="ucb1", n_runs=20, rng=0)
    >>> R.shape, bool(R[:, -1].mean() < 30)
    ((20, 500), True)
    """
    mu = check_array(means, "means", ndim=1)
    K = len(mu)
    if K < 2 or np.any((mu < 0) | (mu > 1)):
        raise ValueError(f"means must hold >= 2 probabilities in [0, 1], got {mu}")
    T = check_int(T, "T", K)
    n_runs = check_int(n_runs, "n_runs", 1)
    epsilon = check_float(epsilon, "epsilon", 0.0, 1.0)
    if policy not in POLICIES:
        raise ValueError(f"policy must be one of {POLICIES}, got {policy!r}")
    rng = as_rng(rng)
    runs = np.arange(n_runs)
    counts = np.zeros((n_runs, K))  # n_j
    sums = np.zeros((n_runs, K))    # total reward of arm j
    arms = np.empty((n_runs, T), dtype=int)
    u_reward = rng.random((T, n_runs))  # pull t of run r pays if u < mu
    if policy == "epsilon-greedy":
        explore = rng.random((T, n_runs)) < epsilon
        random_arm = rng.integers(K, size=(T, n_runs))
        tie = 1e-9 * rng.random((n_runs, K))  # a random fixed tie-break
    for t in range(T):
        if t < K:  # pull every arm once
            a = np.full(n_runs, t)
        elif policy == "ucb1":
            # index_j = xbar_j + sqrt(2 ln t / n_j)
            a = np.argmax(sums / counts + np.sqrt(2 * math.log(t) / counts), 1)
        else:
            a = np.where(explore[t], random_arm[t], np.argmax(sums / counts + tie, 1))
        counts[runs, a] += 1
        sums[runs, a] += u_reward[t] < mu[a]
        arms[:, t] = a
    # pseudo-regret: the expected loss of each pull, accumulated
    return np.cumsum(mu.max() - mu[arms], axis=1)


def ucb1_bound(means, T: int) -> float:
    """UCB1's bound on the expected regret after T pulls (`auer2002`, Thm. 1).

    Notes
    -----
    E[R(T)] <= 8 sum_{i: Delta_i > 0} ln T / Delta_i + (1 + pi^2/3) sum_j Delta_j

    Examples
    --------
    >>> print(f"{ucb1_bound([0.2, 0.8], 1000):.1f}")
    94.7
    """
    mu = check_array(means, "means", ndim=1)
    T = check_int(T, "T", 1)
    gaps = mu.max() - mu
    bad = gaps[gaps > 0]
    return float(8 * np.sum(math.log(T) / bad) + (1 + math.pi ** 2 / 3) * gaps.sum())


def lai_robbins_constant(means) -> float:
    """Lai & Robbins' constant: no consistent policy beats c ln T regret.

    Notes
    -----
    c = sum_{i: Delta_i > 0} Delta_i / KL(mu_i, mu*), with the Bernoulli
    divergence KL(p, q) = p ln(p/q) + (1-p) ln((1-p)/(1-q)).

    References
    ----------
    `lai1985`

    Examples
    --------
    >>> print(f"{lai_robbins_constant([0.2, 0.8]):.3f}")
    0.721
    """
    mu = check_array(means, "means", ndim=1)
    best = mu.max()
    if best >= 1 or mu.min() <= 0:
        raise ValueError("means must lie strictly between 0 and 1")
    p = mu[mu < best]
    kl = p * np.log(p / best) + (1 - p) * np.log((1 - p) / (1 - best))
    return float(np.sum((best - p) / kl))


def log_fit(t, R) -> tuple[float, float]:
    """Least-squares fit R ~ a + b ln t; returns (a, b).

    Examples
    --------
    >>> t = np.array([10.0, 100.0, 1000.0])
    >>> [round(v, 6) for v in log_fit(t, 2 + 3 * np.log(t))]
    [2.0, 3.0]
    """
    t = check_array(t, "t", ndim=1)
    R = check_array(R, "R", shape=(len(t),))
    if np.any(t <= 0):
        raise ValueError("t must be positive")
    b, a = np.polyfit(np.log(t), R, 1)
    return float(a), float(b)


# --------------------------------------------------------------- grid world
#: Moves (row, column) of the actions up, right, down, left.
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))


@dataclass(frozen=True)
class GridWorld:
    """A grid of cells with walls ("#"), exits ("+" reward +1, "-" reward -1).

    An action moves one cell (up, right, down, left); with probability
    ``slip`` the move goes to one of the two perpendicular directions
    instead (half each). Bumping into a wall or the border stays put.
    Entering an exit ends the episode with its reward; every other step
    gives ``step_reward``.

    Examples
    --------
    >>> world = GridWorld()
    >>> world
    GridWorld(3x4, 11 states, slip=0.2)
    >>> world.P.shape, world.R.shape
    ((11, 4, 11), (11, 4))
    """

    layout: tuple[str, ...] = ("...+", ".#.-", "....")
    slip: float = 0.2
    step_reward: float = -0.04

    def __post_init__(self) -> None:
        rows = self.layout
        if not rows or len({len(r) for r in rows}) != 1 or not set(
                "".join(rows)) <= set(".#+-"):
            raise ValueError("layout must be equal-length rows of '.#+-'")
        check_float(self.slip, "slip", 0.0, 1.0)
        check_float(self.step_reward, "step_reward")

    def __repr__(self) -> str:
        return (f"GridWorld({len(self.layout)}x{len(self.layout[0])}, "
                f"{len(self.cells)} states, slip={self.slip:g})")

    @cached_property
    def cells(self) -> list[tuple[int, int]]:
        """The (row, column) of each state, in reading order; walls excluded."""
        return [(i, j) for i, row in enumerate(self.layout)
                for j, c in enumerate(row) if c != "#"]

    @cached_property
    def terminal(self) -> np.ndarray:
        """Boolean mask of the exit states."""
        return np.array([self.layout[i][j] in "+-" for i, j in self.cells])

    @property
    def P(self) -> np.ndarray:
        """Transition probabilities P[s, a, s'] (exits absorb: rows of zeros)."""
        return self._tables[0]

    @property
    def R(self) -> np.ndarray:
        """Expected reward R[s, a] of taking action a in state s."""
        return self._tables[1]

    def _target(self, s: int, move: tuple[int, int]) -> int:
        i, j = self.cells[s]
        i2, j2 = i + move[0], j + move[1]
        if not (0 <= i2 < len(self.layout) and 0 <= j2 < len(self.layout[0])
                and self.layout[i2][j2] != "#"):
            return s  # blocked: stay
        return self.cells.index((i2, j2))

    @cached_property
    def entry_reward(self) -> np.ndarray:
        """Reward for entering each state: +1 / -1 at exits, else the step."""
        gain = {"+": 1.0, "-": -1.0}
        return np.array([gain.get(self.layout[i][j], self.step_reward)
                         for i, j in self.cells])

    @cached_property
    def _tables(self) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.cells)
        P, R = np.zeros((n, 4, n)), np.zeros((n, 4))
        for s in np.flatnonzero(~self.terminal):
            for a in range(4):
                # intended move with 1 - slip, each side with slip / 2
                for m, p in ((a, 1 - self.slip), ((a + 1) % 4, self.slip / 2),
                             ((a + 3) % 4, self.slip / 2)):
                    s2 = self._target(s, MOVES[m])
                    P[s, a, s2] += p
                    R[s, a] += p * self.entry_reward[s2]
        return P, R


def value_iteration(world: GridWorld, gamma: float = 0.9,
                    tol: float = 1e-12) -> np.ndarray:
    """Optimal action values Q* by iterating the Bellman optimality operator.

    Notes
    -----
    Q(s, a) <- R(s, a) + gamma sum_s' P(s' | s, a) max_a' Q(s', a')

    Returns
    -------
    ndarray of shape (n_states, 4)

    Examples
    --------
    >>> Q = value_iteration(GridWorld(slip=0.0, step_reward=0.0))
    >>> print(f"{Q.max(1)[0]:.4f}")        # 3 steps from the +1 exit
    0.8100
    """
    gamma = check_float(gamma, "gamma", 0.0, 1.0, strict=True)
    P, R = world.P, world.R
    Q = np.zeros_like(R)
    while True:
        Q_new = R + gamma * P @ Q.max(1)
        if np.abs(Q_new - Q).max() < tol:
            return Q_new
        Q = Q_new


def greedy_policy(Q: np.ndarray) -> np.ndarray:
    """The action with the highest value in each state."""
    return check_array(Q, "Q", ndim=2).argmax(1)


def policy_values(world: GridWorld, policy: np.ndarray,
                  gamma: float = 0.9) -> np.ndarray:
    """Exact state values V^pi of a deterministic policy (a linear solve).

    Notes
    -----
    V = (I - gamma P_pi)^{-1} R_pi

    Examples
    --------
    >>> w = GridWorld()
    >>> Q = value_iteration(w)
    >>> bool(np.allclose(policy_values(w, greedy_policy(Q)), Q.max(1)))
    True
    """
    gamma = check_float(gamma, "gamma", 0.0, 1.0, strict=True)
    P, R = world.P, world.R
    pi = np.asarray(policy)
    if pi.shape != (len(R),) or pi.dtype.kind not in "iu" or np.any(
            (pi < 0) | (pi > 3)):
        raise ValueError(f"policy must hold one action 0-3 per state ({len(R)})")
    s = np.arange(len(R))
    return np.linalg.solve(np.eye(len(R)) - gamma * P[s, pi], R[s, pi])


def q_learning(world: GridWorld, n_steps: int = 50_000, gamma: float = 0.9,
               epsilon: float = 0.2, rng: RngLike = None) -> np.ndarray:
    """Tabular Q-learning from simulated experience.

    Episodes start in a random non-exit state and follow an epsilon-greedy
    behaviour policy; the step size of each pair is 1 / n(s, a)^0.6, which
    satisfies the conditions of Watkins & Dayan's convergence theorem
    (sum of steps infinite, sum of squares finite).

    Notes
    -----
    Q(s, a) <- Q(s, a) + alpha [r + gamma max_a' Q(s', a') - Q(s, a)]

    References
    ----------
    `watkins1992`, `sutton2018`

    Returns
    -------
    ndarray of shape (n_states, 4)

    Examples
    --------
    >>> w = GridWorld()
    >>> Q = q_learning(w, rng=0)
    >>> bool((greedy_policy(Q) == greedy_policy(value_iteration(w)))[~w.terminal].all())
    True
    """
    n_steps = check_int(n_steps, "n_steps", 1)
    gamma = check_float(gamma, "gamma", 0.0, 1.0, strict=True)
    epsilon = check_float(epsilon, "epsilon", 0.0, 1.0)
    rng = as_rng(rng)
    P = world.P
    n_states = len(P)
    starts = np.flatnonzero(~world.terminal).tolist()
    terminal, reward = world.terminal.tolist(), world.entry_reward.tolist()
    # plain Python lists: this loop is all scalar work
    Q = [[0.0] * 4 for _ in range(n_states)]
    visits = [[0] * 4 for _ in range(n_states)]
    cdf = np.cumsum(P, axis=2).tolist()  # s' ~ P(. | s, a) by bisection
    s = starts[int(rng.integers(len(starts)))]
    for u0, u1, u2, u3 in rng.random((n_steps, 4)).tolist():
        q = Q[s]
        a = int(u0 * 4) if u1 < epsilon else q.index(max(q))
        s2 = min(bisect.bisect_right(cdf[s][a], u2), n_states - 1)
        visits[s][a] += 1
        alpha = visits[s][a] ** -0.6
        # target r + gamma max_a' Q(s', a'); an exit has no future
        target = reward[s2] + (0.0 if terminal[s2] else gamma * max(Q[s2]))
        q[a] += alpha * (target - q[a])
        s = starts[int(u3 * len(starts))] if terminal[s2] else s2
    return np.array(Q)


def plan_by_search(world: GridWorld) -> np.ndarray:
    """Shortest paths to a "+" exit by breadth-first search over the rules.

    A symbolic planner: it is given the rules of the world (where each move
    leads when nothing slips) and searches them; it learns nothing from
    reward. "-" exits are never entered.

    Returns
    -------
    ndarray of int, shape (n_states,)
        An action (0 up, 1 right, 2 down, 3 left) for each state on a
        shortest path; -1 at exits and where no path exists.

    References
    ----------
    `newell1976`

    Examples
    --------
    >>> plan_by_search(GridWorld()).tolist()
    [1, 1, 1, -1, 0, 0, -1, 0, 1, 0, 3]
    """
    n = len(world.cells)
    nxt = [[world._target(s, MOVES[a]) for a in range(4)] for s in range(n)]
    terminal = world.terminal
    dist = [0 if world.layout[i][j] == "+" else math.inf for i, j in world.cells]
    level, frontier = 0, [s for s in range(n) if dist[s] == 0]
    while frontier:  # states one more move away from the solved region
        level += 1
        frontier = [s for s in range(n) if dist[s] == math.inf and not terminal[s]
                    and any(dist[t] == level - 1 for t in nxt[s])]
        for s in frontier:
            dist[s] = level
    policy = np.full(n, -1)
    for s in range(n):
        if not terminal[s] and dist[s] < math.inf:
            policy[s] = min(range(4), key=lambda a: dist[nxt[s][a]])
    return policy


# ------------------------------------------------------- Rescorla-Wagner
def rescorla_wagner(cues, outcomes, alpha=0.1, beta: float = 1.0,
                    V0=None) -> np.ndarray:
    """Associative strengths trial by trial under the Rescorla-Wagner rule.

    Parameters
    ----------
    cues : array_like of shape (n_trials, n_cues)
        1 where a cue (conditioned stimulus) is present on a trial, else 0.
    outcomes : array_like of shape (n_trials,)
        lambda on each trial: the strength the outcome supports (e.g. 1 with
        food, 0 without).
    alpha : float or array_like of shape (n_cues,), default=0.1
        Salience of each cue.
    beta : float, default=1.0
        Learning rate of the outcome.
    V0 : array_like of shape (n_cues,), optional
        Initial strengths (zeros).

    Returns
    -------
    ndarray of shape (n_trials + 1, n_cues)
        V before the first trial and after each trial.

    Notes
    -----
    Delta V_i = alpha_i beta (lambda - sum_j x_j V_j) x_i : the shared
    prediction error, which is the least-mean-squares (delta) rule.

    References
    ----------
    `rescorla1972`, `widrow1960`, `sutton1981`

    Examples
    --------
    >>> V = rescorla_wagner([[1, 0]] * 3, [1, 1, 1], alpha=0.5)
    >>> V[:, 0].tolist()
    [0.0, 0.5, 0.75, 0.875]
    """
    X = check_array(cues, "cues", ndim=2)
    lam = check_array(outcomes, "outcomes", shape=(len(X),))
    n_cues = X.shape[1]
    alpha = np.broadcast_to(check_array(alpha, "alpha", ndim=(0, 1)), (n_cues,))
    beta = check_float(beta, "beta", 0.0)
    V = np.zeros(n_cues) if V0 is None else check_array(V0, "V0", shape=(n_cues,)).copy()
    history = [V.copy()]
    for x, target in zip(X, lam):
        delta = target - x @ V  # prediction error, shared by the present cues
        V = V + alpha * beta * delta * x
        history.append(V.copy())
    return np.array(history)


# ---------------------------------------------------------- connectionism
def lesioned_recall(n_neurons: int = 400, n_patterns: int = 20,
                    fraction: float = 0.5, cue_noise: float = 0.1,
                    n_sweeps: int = 10, rng: RngLike = None) -> float:
    """Mean recall overlap of a Hopfield memory after cutting couplings.

    Stores random patterns by the Hebb rule, removes a random symmetric
    ``fraction`` of the couplings W_ij, corrupts each pattern by flipping a
    ``cue_noise`` fraction of its bits, and runs synchronous updates
    s <- sign(W s).

    Returns
    -------
    float
        Mean overlap m = s . xi / N between the recalled state and the stored
        pattern (1 = perfect).

    References
    ----------
    `hopfield1982`, `rumelhart1986pdp`

    Examples
    --------
    >>> print(f"{lesioned_recall(fraction=0.5, rng=0):.2f}")
    1.00
    """
    from physdl_docs.hopfield import HopfieldNetwork, corrupt, random_patterns

    N = check_int(n_neurons, "n_neurons", 2)
    fraction = check_float(fraction, "fraction", 0.0, 1.0)
    n_sweeps = check_int(n_sweeps, "n_sweeps", 1)
    rng = as_rng(rng)
    xi = random_patterns(check_int(n_patterns, "n_patterns", 1), N, rng=rng)
    # C = N W: integer couplings, so every field below is an exact integer
    # sum and the result does not depend on the BLAS summation order
    C = np.rint(HopfieldNetwork(N).store(xi).weights * N)
    # keep each coupling with probability 1 - fraction, symmetrically
    keep = np.triu(rng.random((N, N)) >= fraction, 1)
    C *= keep | keep.T
    S = np.array([corrupt(p, cue_noise, rng=rng) for p in xi])  # [P, N]
    for _ in range(n_sweeps):
        S = np.where(S @ C >= 0, 1.0, -1.0)
    return float(np.mean(np.sum(S * xi, axis=1) / N))
