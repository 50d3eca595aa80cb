"""A tiny tensor autograd engine: reverse-mode automatic differentiation.

Taught in lesson 3.6 (docs/training/autodiff.md).

Every operation on a ``Tensor`` returns a new ``Tensor`` that remembers its
``parents`` and a closure ``vjp`` written beside the forward computation. For
an output ``z = f(a, b)`` and the gradient ``g = dL/dz`` of a scalar ``L``,
``vjp(g)`` returns the vector-Jacobian products

    dL/da = g (dz/da),    dL/db = g (dz/db),

one array per parent. ``backward`` visits the graph in reverse topological
order and adds up, for every node, the contributions of all its consumers
(``dL/dx = sum over consumers c of vjp_c``): the chain rule evaluated as
dynamic programming, each shared subexpression handled once. Operands are
broadcast as in numpy; ``_unbroadcast`` sums a gradient back to the shape of
its operand. Everything is float64.

The design follows micrograd (A. Karpathy), on numpy arrays instead of
scalars. Only leaves keep ``.grad``, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real

import numpy as np
from numpy.lib.array_utils import normalize_axis_tuple

from physdl_docs.backprop import sigmoid as _sigmoid

__all__ = ["Tensor", "topological_order"]


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` over the axes that broadcasting added or stretched to ``shape``."""
    # leading axes that broadcasting prepended
    g = g.sum(axis=tuple(range(g.ndim - len(shape)))) if g.ndim > len(shape) else g
    # axes of length 1 in the operand that were stretched
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=stretched, keepdims=True) if stretched else g


def _as_data(data: object) -> np.ndarray:
    """``data`` as a float64 array; int input converted, bool/complex refused."""
    try:
        a = np.asarray(data.data if isinstance(data, Tensor) else data)
    except ValueError as exc:  # ragged nested lists
        raise TypeError(f"data must be a real numeric array: {exc}") from None
    if a.dtype.kind not in "iuf":
        raise TypeError(f"data must be a real numeric array, got dtype {a.dtype}")
    return a.astype(np.float64)


class Tensor:
    """An array that records the operations applied to it.

    Parameters
    ----------
    data : array_like
        Real numbers (ints are converted); stored as a float64 ndarray.
    requires_grad : bool, default False
        Whether gradients flow to this tensor. An operation's result
        requires grad if any operand does.

    Attributes
    ----------
    data : ndarray
        The value.
    grad : ndarray of the same shape as ``data``, or None
        ``dL/d(data)``, set (and then accumulated) by ``backward`` on leaves
        that require grad; None until a backward pass reaches the leaf.
    parents : tuple of Tensor
        The operands this tensor was computed from (empty for a leaf).
    vjp : callable or None
        ``g -> (dL/dparent, ...)``: the operation's vector-Jacobian product.
    op : str
        Name of the operation that produced the tensor ('' for a leaf).

    Notes
    -----
    .. math:: \\bar x = \\sum_{c \\,\\in\\, \\text{consumers}(x)}
              \\bar z_c \\, \\frac{\\partial z_c}{\\partial x},
              \\qquad \\bar x \\equiv \\frac{\\partial L}{\\partial x}

    References: `linnainmaa1970`, `griewank2008`, `baydin2018`

    Examples
    --------
    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> L = (x * x).sum()
    >>> L
    Tensor(14., op='sum')
    >>> L.backward()
    >>> x.grad
    array([2., 4., 6.])
    """

    __array_ufunc__ = None  # numpy defers `array * tensor` to Tensor.__rmul__

    def __init__(self, data: object, requires_grad: bool = False) -> None:
        if not isinstance(requires_grad, bool):
            raise TypeError(
                f"requires_grad must be a bool, got {type(requires_grad).__name__}")
        self.data = _as_data(data)
        self.requires_grad = requires_grad
        self.grad: np.ndarray | None = None
        self.parents: tuple[Tensor, ...] = ()
        self.vjp: Callable | None = None
        self.op = ""

    @classmethod
    def from_op(cls, data: np.ndarray, parents: tuple[Tensor, ...],
                vjp: Callable, op: str = "") -> Tensor:
        """The output of an operation: a node that remembers its parents and vjp.

        This is how every operation below is written, and how to add one:
        compute ``data`` from the parents' data, and give ``vjp(g)`` returning
        one gradient per parent (broadcast shapes are summed back for you).
        The graph is recorded only if some parent requires grad.
        """
        out = cls.__new__(cls)
        out.data, out.grad, out.op = data, None, op
        out.requires_grad = any(p.requires_grad for p in parents)
        out.parents, out.vjp = (parents, vjp) if out.requires_grad else ((), None)
        return out

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, threshold=6, separator=", ")
        tail = f", op={self.op!r}" if self.op else (
            ", requires_grad=True" if self.requires_grad else "")
        return f"Tensor({body}{tail})"

    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)

    # ------------------------------------------------------------ primitives
    def __add__(self, other: object) -> Tensor:
        other = _lift(other)
        # z = a + b:  a_bar = z_bar,  b_bar = z_bar
        return Tensor.from_op(self.data + other.data, (self, other),
                              lambda g: (g, g), "+")

    def __mul__(self, other: object) -> Tensor:
        other = _lift(other)
        a, b = self.data, other.data
        # z = a * b:  a_bar = z_bar * b,  b_bar = z_bar * a
        return Tensor.from_op(a * b, (self, other), lambda g: (g * b, g * a), "*")

    def __pow__(self, p: object) -> Tensor:
        if isinstance(p, Tensor) or not isinstance(p, Real) or isinstance(p, bool):
            raise TypeError(f"the exponent must be a real scalar, got {type(p).__name__}")
        a = self.data
        # z = a^p:  a_bar = z_bar * p a^(p-1)  (0 for p = 0, as in torch)
        dz_da = p * a ** (p - 1) if p != 0 else np.zeros_like(a)
        return Tensor.from_op(a**p, (self,), lambda g: (g * dz_da,), f"**{p:g}")

    def __matmul__(self, other: object) -> Tensor:
        other = _lift(other)
        a, b = self.data, other.data
        # numpy's rule: a 1-D a is a row [1, n], a 1-D b a column [n, 1]
        a2 = a[None, :] if a.ndim == 1 else a  # a2: [..., i, k]
        b2 = b[:, None] if b.ndim == 1 else b  # b2: [..., k, j]
        z2_shape = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]) + (
            a2.shape[-2], b2.shape[-1])

        def vjp(g):
            g2 = g.reshape(z2_shape)  # restore the dropped axes: [..., i, j]
            # Z = A B:  A_bar = Z_bar B^T,  B_bar = A^T Z_bar
            ga = g2 @ np.swapaxes(b2, -1, -2)
            gb = np.swapaxes(a2, -1, -2) @ g2
            return (_unbroadcast(ga, a2.shape).reshape(a.shape),
                    _unbroadcast(gb, b2.shape).reshape(b.shape))

        return Tensor.from_op(a @ b, (self, other), vjp, "@")

    def exp(self) -> Tensor:
        """Elementwise ``e^x``; derivative ``e^x``."""
        z = np.exp(self.data)
        return Tensor.from_op(z, (self,), lambda g: (g * z,), "exp")

    def log(self) -> Tensor:
        """Elementwise natural log; derivative ``1/x``."""
        a = self.data
        return Tensor.from_op(np.log(a), (self,), lambda g: (g / a,), "log")

    def tanh(self) -> Tensor:
        """Elementwise ``tanh``; derivative ``1 - tanh^2``."""
        z = np.tanh(self.data)
        return Tensor.from_op(z, (self,), lambda g: (g * (1.0 - z**2),), "tanh")

    def sigmoid(self) -> Tensor:
        """Elementwise logistic ``1/(1+e^-x)``; derivative ``s(1 - s)``."""
        s = _sigmoid(self.data)
        return Tensor.from_op(s, (self,), lambda g: (g * s * (1.0 - s),), "sigmoid")

    def relu(self) -> Tensor:
        """Elementwise ``max(x, 0)``; derivative 1 for x > 0, else 0 (as PyTorch)."""
        a = self.data
        return Tensor.from_op(np.maximum(a, 0.0), (self,),
                              lambda g: (g * (a > 0),), "relu")

    def sum(self, axis: int | tuple[int, ...] | None = None,
            keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all axes if None); the gradient is copied back."""
        shape = self.data.shape
        axes = tuple(range(len(shape))) if axis is None else normalize_axis_tuple(
            axis, len(shape))

        def vjp(g):
            g = g if keepdims else np.expand_dims(g, axes)
            return (np.broadcast_to(g, shape),)  # x_bar = z_bar, for every summand

        return Tensor.from_op(self.data.sum(axis=axes, keepdims=keepdims), (self,),
                              vjp, "sum")

    def reshape(self, shape: int | tuple[int, ...]) -> Tensor:
        """Same values, new shape; the gradient is reshaped back."""
        old = self.data.shape
        return Tensor.from_op(self.data.reshape(shape), (self,),
                              lambda g: (g.reshape(old),), "reshape")

    @property
    def T(self) -> Tensor:
        """Axes reversed (``data.T``); the gradient is transposed back."""
        return Tensor.from_op(self.data.T, (self,), lambda g: (g.T,), "T")

    # ------------------------------------- derived from the primitives above
    def __neg__(self) -> Tensor:
        return self * -1.0

    def __sub__(self, other: object) -> Tensor:
        return self + (-_lift(other))

    def __truediv__(self, other: object) -> Tensor:
        return self * _lift(other) ** -1

    def mean(self, axis: int | tuple[int, ...] | None = None,
             keepdims: bool = False) -> Tensor:
        """Mean over ``axis``: the sum divided by the number of summands."""
        total = self.sum(axis, keepdims)
        return total * (total.data.size / self.data.size)

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, other: object) -> Tensor:
        return _lift(other) - self

    def __rtruediv__(self, other: object) -> Tensor:
        return _lift(other) / self

    def __rmatmul__(self, other: object) -> Tensor:
        return _lift(other) @ self

    # -------------------------------------------------------------- backward
    def backward(self, grad: object = None) -> None:
        """Accumulate ``dself/dleaf`` (times ``grad``) into every leaf's ``.grad``.

        Parameters
        ----------
        grad : array_like of the shape of ``self``, optional
            The upstream gradient ``dL/dself``; may be omitted for a scalar
            (it is then 1).

        Raises
        ------
        RuntimeError
            If nothing in the graph requires grad.
        ValueError
            If ``grad`` is missing for a non-scalar or has the wrong shape.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "this tensor does not require grad: create its leaves with "
                "requires_grad=True")
        if grad is None and self.data.size != 1:
            raise ValueError(
                f"grad must be given for a non-scalar output of shape {self.data.shape}")
        g = np.ones_like(self.data) if grad is None else _as_data(grad)
        if g.shape != self.data.shape:
            raise ValueError(f"grad must have shape {self.data.shape}, got {g.shape}")
        # dynamic programming: bar[x] = sum over consumers, complete before x is used
        bar = {id(self): g}
        for node in reversed(topological_order(self)):
            g = bar.pop(id(node))
            if not node.parents:  # a leaf: accumulate, as torch does
                node.grad = g.copy() if node.grad is None else node.grad + g
                continue
            for parent, gp in zip(node.parents, node.vjp(g)):
                if parent.requires_grad:
                    gp = _unbroadcast(gp, parent.data.shape)
                    bar[id(parent)] = bar[id(parent)] + gp if id(parent) in bar else gp


def _lift(x: object) -> Tensor:
    """A Python number or array as a constant Tensor (no gradient)."""
    return x if isinstance(x, Tensor) else Tensor(x)


def topological_order(root: Tensor) -> list[Tensor]:
    """The nodes ``root`` depends on, each listed after all of its parents.

    Only nodes that require grad are visited. Iterative depth-first search,
    so a graph thousands of operations deep does not hit Python's recursion
    limit.

    Examples
    --------
    >>> x = Tensor(2.0, requires_grad=True)
    >>> u = x * x
    >>> [n.op or "leaf" for n in topological_order(u * u + u)]
    ['leaf', '*', '*', '+']
    """
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:  # all parents are already in `order`
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if p.requires_grad)
    return order
