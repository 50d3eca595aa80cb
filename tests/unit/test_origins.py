"""Tests for physdl_docs.origins: bandits, Q-learning, Rescorla-Wagner, lesions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from physdl_docs.origins import (
    GridWorld,
    greedy_policy,
    lai_robbins_constant,
    lesioned_recall,
    log_fit,
    plan_by_search,
    play_bandit,
    policy_values,
    q_learning,
    rescorla_wagner,
    ucb1_bound,
    value_iteration,
)

MEANS = np.array([0.9, 0.6, 0.3])


def _ucb1_reference(means, T, n_runs, seed):
    """UCB1 run by run with scalar code, fed the same reward draws."""
    rng = np.random.default_rng(seed)
    draws = np.array([rng.random(n_runs) for _ in range(T)])  # [T, n_runs]
    K = len(means)
    regret = np.zeros((n_runs, T))
    for r in range(n_runs):
        n, total, loss = [0] * K, [0.0] * K, 0.0
        for t in range(T):
            if t < K:
                a = t
            else:
                index = [total[j] / n[j] + math.sqrt(2 * math.log(t) / n[j])
                         for j in range(K)]
                a = index.index(max(index))
            n[a] += 1
            total[a] += float(draws[t, r] < means[a])
            loss += max(means) - means[a]
            regret[r, t] = loss
    return regret


def test_ucb1_matches_a_scalar_implementation():
    got = play_bandit(MEANS, T=300, policy="ucb1", n_runs=4, rng=7)
    # same index formula, same rewards: identical regret curves
    np.testing.assert_allclose(got, _ucb1_reference(MEANS, 300, 4, 7), atol=1e-9)


def test_ucb1_regret_is_below_auer_bound_in_expectation():
    T = 2000
    R = play_bandit(MEANS, T=T, policy="ucb1", n_runs=100, rng=0)[:, -1]
    upper = R.mean() + 3 * R.std(ddof=1) / 10
    # mean regret (plus 3 standard errors) below Theorem 1 of Auer et al.
    assert upper < ucb1_bound(MEANS, T)
    # and above the Lai-Robbins asymptotic floor times ln T (a loose check)
    assert R.mean() > lai_robbins_constant(MEANS) * math.log(T)


def test_uniform_play_has_the_mean_gap_as_slope():
    # epsilon = 1: every pull is uniform, E[regret per pull] = mean gap = 0.3
    R = play_bandit(MEANS, T=400, policy="epsilon-greedy", epsilon=1.0,
                    n_runs=400, rng=1)
    slope = (R[:, -1] - R[:, 99]).mean() / 300
    se = (R[:, -1] - R[:, 99]).std(ddof=1) / 300 / 20
    assert abs(slope - 0.3) < 4 * se


def test_epsilon_greedy_grows_linearly_with_slope_epsilon_times_mean_gap():
    R = play_bandit(MEANS, T=3000, policy="epsilon-greedy", epsilon=0.1,
                    n_runs=200, rng=2)
    inc = R[:, -1] - R[:, 999]
    slope, se = inc.mean() / 2000, inc.std(ddof=1) / 2000 / math.sqrt(200)
    # once greedy has found the best arm, only exploration costs: 0.1 * 0.3
    assert abs(slope - 0.03) < 4 * se + 0.002


def test_greedy_without_exploration_gets_stuck_sometimes():
    R = play_bandit(MEANS, T=500, policy="epsilon-greedy", epsilon=0.0,
                    n_runs=300, rng=3)
    stuck = (R[:, -1] - R[:, -101]) > 0  # still pulling a worse arm at the end
    # some runs lock onto a worse arm forever (the reason to explore)
    assert 0 < stuck.mean() < 0.5


def test_bounds_and_fit_by_hand():
    # 8 sum ln T / Delta + (1 + pi^2 / 3) sum Delta for gaps 0.3 and 0.6
    T = 1000
    want = 8 * math.log(T) * (1 / 0.3 + 1 / 0.6) + (1 + math.pi ** 2 / 3) * 0.9
    assert ucb1_bound(MEANS, T) == pytest.approx(want, rel=1e-12)
    # Bernoulli KL(0.6 || 0.9) and KL(0.3 || 0.9)
    kl = [p * math.log(p / 0.9) + (1 - p) * math.log((1 - p) / 0.1) for p in (0.6, 0.3)]
    assert lai_robbins_constant(MEANS) == pytest.approx(0.3 / kl[0] + 0.6 / kl[1], rel=1e-12)
    t = np.array([5.0, 50.0, 500.0])
    # exact recovery of a + b ln t
    assert log_fit(t, 1.5 - 0.25 * np.log(t)) == pytest.approx((1.5, -0.25))


def test_grid_world_transitions():
    w = GridWorld(slip=0.2)
    P, nt = w.P, ~w.terminal
    # rows of non-exit states are distributions; exits absorb (zero rows)
    np.testing.assert_allclose(P[nt].sum(-1), 1.0)
    assert np.all(P[w.terminal] == 0)
    # from the bottom-left corner (row 2, col 0) "up": 0.8 up, 0.1 right,
    # 0.1 left (the border: stays)
    s = w.cells.index((2, 0))
    assert P[s, 0, w.cells.index((1, 0))] == pytest.approx(0.8)
    assert P[s, 0, w.cells.index((2, 1))] == pytest.approx(0.1)
    assert P[s, 0, s] == pytest.approx(0.1)
    # (0, 1) "down" runs into the wall at (1, 1): stays with probability 0.8
    s = w.cells.index((0, 1))
    assert P[s, 2, s] == pytest.approx(0.8)
    # expected reward of moving right from (0, 2) into the +1 exit
    s = w.cells.index((0, 2))
    assert w.R[s, 1] == pytest.approx(0.8 * 1 + 0.1 * -0.04 + 0.1 * -0.04)


def test_value_iteration_solves_the_bellman_equation():
    w = GridWorld()
    Q = value_iteration(w, gamma=0.9)
    # Q = R + gamma P max Q at the fixed point
    np.testing.assert_allclose(Q, w.R + 0.9 * w.P @ Q.max(1), atol=1e-11)
    # deterministic, no step cost: V = gamma^(d - 1) at distance d from +1
    Qd = value_iteration(GridWorld(slip=0.0, step_reward=0.0), gamma=0.9)
    cells = GridWorld().cells
    for cell, d in (((0, 2), 1), ((0, 0), 3), ((2, 0), 5)):
        assert Qd.max(1)[cells.index(cell)] == pytest.approx(0.9 ** (d - 1))


def test_policy_values_match_iterative_evaluation():
    w = GridWorld()
    pi = np.array([1, 1, 1, 0, 0, 2, 0, 3, 3, 3, 3])
    V = policy_values(w, pi, gamma=0.9)
    s = np.arange(len(pi))
    U = np.zeros(len(pi))
    for _ in range(2000):  # V <- R_pi + gamma P_pi V
        U = w.R[s, pi] + 0.9 * w.P[s, pi] @ U
    np.testing.assert_allclose(V, U, atol=1e-10)


def test_q_learning_finds_the_optimal_policy():
    w = GridWorld()
    Q_star = value_iteration(w)
    nt = ~w.terminal
    for seed in range(3):
        Q = q_learning(w, rng=seed)
        # the greedy policy's exact value is optimal in every state
        np.testing.assert_allclose(policy_values(w, greedy_policy(Q)),
                                   Q_star.max(1), atol=1e-9)
        # and the action values are close on average
        assert np.abs(Q - Q_star)[nt].mean() < 0.03
    # exits are never updated
    assert np.all(q_learning(w, n_steps=2000, rng=0)[w.terminal] == 0)


def test_search_plans_shortest_paths():
    # deterministic moves, no step cost: the value of the planned policy is
    # gamma^(d - 1) at distance d, which value iteration says is optimal
    w = GridWorld(slip=0.0, step_reward=0.0)
    plan = plan_by_search(w)
    nt = ~w.terminal
    V = policy_values(w, np.where(plan >= 0, plan, 0))
    np.testing.assert_allclose(V[nt], value_iteration(w).max(1)[nt], atol=1e-12)
    # exits get -1; a cell walled off from the goal has no plan
    walled = GridWorld(layout=("..#+", "..#.", "..#-"))
    p = plan_by_search(walled)
    assert p[walled.cells.index((0, 0))] == -1
    assert p[walled.cells.index((1, 3))] == 0  # up, into the +1 exit
    assert np.all(p[walled.terminal] == -1)


def test_rescorla_wagner_is_the_lms_rule():
    rng = np.random.default_rng(4)
    X = rng.integers(0, 2, size=(40, 3)).astype(float)
    lam = rng.random(40)
    alpha = np.array([0.3, 0.1, 0.2])
    V = rescorla_wagner(X, lam, alpha=alpha, beta=0.5)
    for t in range(40):
        # one gradient step on 1/2 (lambda - x.V)^2 with step alpha_i beta
        grad = -(lam[t] - X[t] @ V[t]) * X[t]
        np.testing.assert_allclose(V[t + 1], V[t] - alpha * 0.5 * grad, atol=1e-14)


def test_rescorla_wagner_blocking_and_convergence():
    A, AB = [1, 0], [1, 1]
    blocked = rescorla_wagner([A] * 30 + [AB] * 30, [1] * 60, alpha=0.2)[-1]
    control = rescorla_wagner([[0, 0]] * 30 + [AB] * 30, [1] * 60, alpha=0.2)[-1]
    # B learns almost nothing after A already predicts the outcome (Kamin)
    assert blocked[1] < 0.001
    # without pretraining, A and B share lambda equally
    np.testing.assert_allclose(control, [0.5, 0.5], atol=1e-5)
    # one cue alone: V = lambda (1 - (1 - alpha beta)^n)
    V = rescorla_wagner([[1]] * 5, [2.0] * 5, alpha=0.3)[:, 0]
    np.testing.assert_allclose(V, 2.0 * (1 - 0.7 ** np.arange(6)), atol=1e-14)


def test_lesioned_memory_degrades_gracefully():
    intact = lesioned_recall(fraction=0.0, rng=0)
    half = np.mean([lesioned_recall(fraction=0.5, rng=s) for s in range(3)])
    most = np.mean([lesioned_recall(fraction=0.9, rng=s) for s in range(3)])
    # perfect recall intact, nearly so with half the couplings, worse at 90 %
    assert intact == 1.0
    assert half > 0.99
    assert 0.5 < most < 0.9


def test_bad_inputs():
    with pytest.raises(ValueError, match="means"):
        play_bandit([0.5], T=10, policy="ucb1")
    with pytest.raises(ValueError, match="means"):
        play_bandit([0.5, 1.5], T=10, policy="ucb1")
    with pytest.raises(ValueError, match="policy"):
        play_bandit(MEANS, T=10, policy="softmax")
    with pytest.raises(ValueError, match="T"):
        play_bandit(MEANS, T=2, policy="ucb1")
    with pytest.raises(ValueError, match="epsilon"):
        play_bandit(MEANS, T=10, policy="epsilon-greedy", epsilon=1.5)
    with pytest.raises(ValueError, match="means"):
        lai_robbins_constant([0.5, 1.0])
    with pytest.raises(ValueError, match="layout"):
        GridWorld(layout=("..", "..."))
    with pytest.raises(ValueError, match="slip"):
        GridWorld(slip=-0.1)
    with pytest.raises(ValueError, match="gamma"):
        value_iteration(GridWorld(), gamma=1.0)
    with pytest.raises(ValueError, match="policy"):
        policy_values(GridWorld(), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="outcomes"):
        rescorla_wagner([[1, 0]], [1, 1])
    with pytest.raises(ValueError, match="fraction"):
        lesioned_recall(fraction=2.0)
    with pytest.raises(TypeError, match="n_steps"):
        q_learning(GridWorld(), n_steps=10.0)
