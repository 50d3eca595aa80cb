"""Unit tests for physdl_docs.autodiff (lesson 3.6).

The reference is torch.autograd in float64: every operation, and random
programs that mix the operations with broadcasting and reuse of nodes, are
run once with the engine and once with torch, and values and leaf gradients
are compared at 1e-10. The XOR network is compared with 2.2's hand-written
backpropagation (physdl_docs.backprop.MLP).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from physdl_docs.autodiff import Tensor, _unbroadcast, topological_order
from physdl_docs.backprop import MLP, XOR_X, XOR_Y

TOL = {"rtol": 1e-10, "atol": 1e-10}


def pair(x: np.ndarray):
    """The same leaf for the engine and for torch."""
    return Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def assert_same(ours: Tensor, theirs: torch.Tensor, leaves) -> None:
    """Equal values, then equal leaf gradients after a random upstream grad."""
    # forward values agree
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), **TOL)
    g = np.random.default_rng(99).normal(size=ours.shape)
    ours.backward(g)
    theirs.backward(torch.from_numpy(g))
    for a, b in leaves:
        # every leaf gradient agrees with torch.autograd
        np.testing.assert_allclose(a.grad, b.grad.numpy(), **TOL)


# ----------------------------------------------------------------- unary ops
UNARY = {
    "exp": (lambda t: t.exp(), torch.exp),
    "log": (lambda t: t.log(), torch.log),
    "tanh": (lambda t: t.tanh(), torch.tanh),
    "sigmoid": (lambda t: t.sigmoid(), torch.sigmoid),
    "relu": (lambda t: t.relu(), torch.relu),
    "neg": (lambda t: -t, lambda t: -t),
    "T": (lambda t: t.T, lambda t: t.permute(tuple(reversed(range(t.ndim))))),
    "reshape": (lambda t: t.reshape((-1,)), lambda t: t.reshape((-1,))),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4)])
def test_unary_ops_match_torch(name, shape):
    rng = np.random.default_rng(len(shape))
    x = rng.normal(size=shape) * 2
    if name == "log":
        x = np.abs(x) + 0.1
    ours, theirs = UNARY[name]
    a, b = pair(x)
    assert_same(ours(a), theirs(b), [(a, b)])


def test_relu_derivative_at_zero_is_zero_like_torch():
    a, b = pair(np.array([-1.0, 0.0, 1.0]))
    assert_same(a.relu(), torch.relu(b), [(a, b)])
    # relu'(0) = 0 exactly
    assert a.grad[1] == 0.0


@pytest.mark.parametrize("p", [2, 3, 0.5, -1, -2.5, 0, 1])
def test_power_matches_torch(p):
    x = np.random.default_rng(5).uniform(0.5, 2.0, size=(3, 4))
    a, b = pair(x)
    assert_same(a**p, b**p, [(a, b)])


# ---------------------------------------------------- binary ops, broadcasting
BINARY = {
    "+": lambda u, v: u + v,
    "-": lambda u, v: u - v,
    "*": lambda u, v: u * v,
    "/": lambda u, v: u / v,
}
SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)),
          ((), (3,)), ((5,), ()), ((4, 1, 3), (2, 1)), ((1,), (2, 3))]


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("shapes", SHAPES)
def test_binary_ops_broadcast_like_torch(op, shapes):
    rng = np.random.default_rng(7)
    x, y = (rng.uniform(0.5, 2.0, size=s) * rng.choice([-1, 1], size=s) for s in shapes)
    (a, b), (c, d) = pair(x), pair(y)
    out = BINARY[op](a, c)
    # the gradient of each operand has the operand's shape
    assert_same(out, BINARY[op](b, d), [(a, b), (c, d)])
    assert a.grad.shape == x.shape and c.grad.shape == y.shape


@pytest.mark.parametrize("op", sorted(BINARY))
def test_python_scalars_on_either_side(op):
    x = np.random.default_rng(8).uniform(0.5, 2.0, size=(2, 3))
    a, b = pair(x)
    out = BINARY[op](2.5, a) * BINARY[op](a, -3)
    assert_same(out, BINARY[op](2.5, b) * BINARY[op](b, -3), [(a, b)])


def test_numpy_array_on_the_left_defers_to_tensor():
    x = np.random.default_rng(9).normal(size=(3, 4))
    W = np.random.default_rng(10).normal(size=(2, 3))
    a, b = pair(x)
    out = W @ (np.ones(4) * a) - np.float64(2.0)
    # ndarray @ Tensor and ndarray * Tensor return Tensors with gradients
    assert isinstance(out, Tensor)
    assert_same(out, torch.from_numpy(W) @ (torch.ones(4, dtype=torch.float64) * b) - 2.0,
                [(a, b)])


@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)),
                                   ((4,), (4,)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)),
                                   ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 5)),
                                   ((2, 3, 4), (4,)), ((1, 3, 4), (2, 4, 1))])
def test_matmul_follows_numpy_rules_like_torch(sa, sb):
    rng = np.random.default_rng(11)
    (a, b), (c, d) = pair(rng.normal(size=sa)), pair(rng.normal(size=sb))
    # shapes of the product as numpy's matmul
    assert (a @ c).shape == (rng.normal(size=sa) @ rng.normal(size=sb)).shape
    assert_same(a @ c, b @ d, [(a, b), (c, d)])


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2), (-1, 0)])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_sum_and_mean_match_torch(axis, keepdims, reduce):
    x = np.random.default_rng(12).normal(size=(2, 3, 4))
    a, b = pair(x)
    ours = getattr(a, reduce)(axis=axis, keepdims=keepdims)
    dim = tuple(range(3)) if axis is None else axis
    theirs = getattr(b, reduce)(dim=dim, keepdim=keepdims)
    assert_same(ours, theirs, [(a, b)])


# ---------------------------------------------------------- reuse and programs
def test_square_by_reuse():
    a, b = pair(np.array([1.5, -2.0, 3.0]))
    # x * x: both operands are the same node, so the gradient is 2x
    assert_same((a * a).sum(), (b * b).sum(), [(a, b)])
    x = Tensor(a.data, requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data, **TOL)


def test_node_used_by_two_branches():
    a, b = pair(np.array([[0.3, -1.2], [0.7, 2.0]]))
    u, v = a.tanh(), b.tanh()
    # u feeds both branches; its adjoint is the sum of both contributions
    assert_same((u.exp() * u + u @ u).sum(), (v.exp() * v + v @ v).sum(), [(a, b)])


def _random_program(seed: int, n_steps: int = 12):
    """A random list of instructions on a pool of broadcastable nodes."""
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (3, 1), (), (1, 4)]
    leaves = [rng.uniform(0.5, 1.5, size=shapes[i]) for i in range(4)]
    steps = []
    for _ in range(n_steps):
        kind = rng.choice(["+", "-", "*", "/", "tanh", "sigmoid", "exp", "sq", "mm",
                           "relu", "mean0", "scalar"])
        steps.append((str(kind), int(rng.integers(0, 1000)), int(rng.integers(0, 1000))))
    return leaves, steps


def _run(program, leaves, lib):
    """Execute a random program with engine tensors or torch tensors."""
    pool = list(leaves)
    for kind, i, j in program:
        u, v = pool[i % len(pool)], pool[j % len(pool)]  # reuse any earlier node
        if kind in "+-*":
            w = BINARY[kind](u, v)
        elif kind == "/":
            w = u / (v * v + 1.0)
        elif kind == "sq":
            w = u**2
        elif kind == "mm":  # ([3, 4] @ [4, 3]) @ [3, 4], u used twice
            w = (_broad(u, lib) @ _broad(v, lib).T) @ _broad(u, lib) * 0.05
        elif kind == "mean0":
            w = _broad(u, lib).mean(**{"axis" if lib == "np" else "dim": 0})
        elif kind == "scalar":
            w = 0.5 * u - 1.0
        else:
            w = (getattr(u, kind)() if lib == "np" else getattr(torch, kind)(u)) * 0.5
        pool.append(w)
    total = pool[-1] * 1.0
    for w in pool[:-1]:  # every node reaches the loss
        total = total + w.sum() * 0.1
    return total.sum()


def _broad(t, lib):
    """Broadcast to [3, 4] by adding zeros (keeps the graph differentiable)."""
    zeros = np.zeros((3, 4))
    return t + (zeros if lib == "np" else torch.from_numpy(zeros))


@pytest.mark.parametrize("seed", range(60))
def test_random_programs_match_torch(seed):
    leaves, program = _random_program(seed)
    ours = [Tensor(x, requires_grad=True) for x in leaves]
    theirs = [torch.tensor(x, requires_grad=True) for x in leaves]
    L, Lt = _run(program, ours, "np"), _run(program, theirs, "torch")
    # a random composition with broadcasting and reuse: same value, same gradients
    assert_same(L, Lt, list(zip(ours, theirs)))


# ------------------------------------------------------------ backward rules
def test_leaf_gradients_accumulate_and_intermediates_do_not():
    a, b = pair(np.array([1.0, -2.0]))
    y, yt = (a * a).sum(), (b * b).sum()
    for _ in range(2):  # two backward passes through the same graph
        y.backward()
        yt.backward(retain_graph=True)
    # leaves accumulate (4x), an intermediate adjoint is not counted twice
    np.testing.assert_allclose(a.grad, b.grad.numpy(), **TOL)
    np.testing.assert_allclose(a.grad, 4 * a.data, **TOL)


def test_grad_is_none_until_backward_and_constants_get_none():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    y = (x * c).sum()
    # nothing before backward
    assert x.grad is None and c.grad is None
    y.backward()
    # a constant operand receives no gradient; an intermediate keeps none
    assert c.grad is None and y.grad is None
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_result_without_grad_records_no_graph():
    y = Tensor([1.0]) * 2.0
    # constants do not build a graph
    assert not y.requires_grad and y.parents == () and y.vjp is None


def test_int_input_is_float64_and_input_not_modified():
    raw = np.array([[1, 2], [3, 4]])
    x = Tensor(raw, requires_grad=True)
    # ints are converted to float64 and the caller's array is untouched
    assert x.data.dtype == np.float64 and raw.dtype.kind == "i"
    (x * 2).sum().backward()
    np.testing.assert_array_equal(raw, [[1, 2], [3, 4]])


def testtopological_order_lists_parents_first_and_once():
    x = Tensor(2.0, requires_grad=True)
    u = x * x
    y = u * u + u
    order = topological_order(y)
    pos = {id(n): i for i, n in enumerate(order)}
    # each node once, after all its parents
    assert len(order) == len(pos) == 4
    assert all(pos[id(p)] < pos[id(n)] for n in order for p in n.parents)


def test_deep_chain_has_no_recursion_limit():
    x = Tensor(0.1, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    # 5000 operations deep: still differentiated, d y/dx = 1
    assert x.grad == pytest.approx(1.0)


def test_unbroadcast_sums_to_operand_shape():
    g = np.arange(24.0).reshape(2, 3, 4)
    # prepended and stretched axes are summed, kept axes untouched
    np.testing.assert_array_equal(_unbroadcast(g, (3, 1)), g.sum(axis=(0, 2))[:, None])
    np.testing.assert_array_equal(_unbroadcast(g, ()), g.sum())
    np.testing.assert_array_equal(_unbroadcast(g, (2, 3, 4)), g)


def test_repr_is_short():
    x = Tensor(np.arange(100.0), requires_grad=True)
    # a long array is elided, the op is named
    assert len(repr(x)) < 80 and "requires_grad=True" in repr(x)
    assert repr(x.sum()) == "Tensor(4950., op='sum')"


# ---------------------------------------------------------------------- XOR
def test_xor_network_matches_hand_written_backprop():
    net = MLP([2, 3, 1], hidden="tanh", output="sigmoid", rng=0)
    params = [Tensor(p, requires_grad=True) for p in net.weights + net.biases]
    W1, W2, b1, b2 = params
    a1 = (Tensor(XOR_X) @ W1.T + b1).tanh()
    a2 = (a1 @ W2.T + b2).sigmoid()
    E = 0.5 * ((a2 - XOR_Y) ** 2).sum()
    E.backward()
    gW, gb = net.gradients(XOR_X, XOR_Y)
    # the engine reproduces the delta rule to rounding error
    for p, g in zip(params, gW + gb):
        np.testing.assert_allclose(p.grad, g, rtol=0, atol=1e-12)
    assert float(E.data) == pytest.approx(net.loss(XOR_X, XOR_Y), abs=1e-14)


# ----------------------------------------------------------------- bad input
def test_backward_errors():
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="grad must be given"):
        (x * 2).backward()  # non-scalar without an upstream gradient
    with pytest.raises(ValueError, match=r"grad must have shape \(3,\)"):
        (x * 2).backward(np.ones(4))
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        Tensor(1.0).backward()


@pytest.mark.parametrize("data", ["abc", 1 + 2j, np.array([1j]), [True, False], [[1, 2], [3]]])
def test_bad_data_raises_type_error(data):
    with pytest.raises(TypeError, match="data"):
        Tensor(data)


def test_bad_requires_grad_and_exponent():
    with pytest.raises(TypeError, match="requires_grad"):
        Tensor(1.0, requires_grad=1)
    x = Tensor(2.0, requires_grad=True)
    with pytest.raises(TypeError, match="exponent"):
        x ** Tensor(2.0)
    with pytest.raises(TypeError, match="exponent"):
        x**True
