"""Input checks shared by every lesson module.

Public functions validate their arguments at the boundary with these helpers,
so that a reader who passes the wrong thing gets a message naming the
argument and what was expected, never a shape error from deep inside numpy.
"""

from __future__ import annotations

import numbers

import numpy as np

RngLike = int | np.random.Generator | None


def as_rng(rng: RngLike, name: str = "rng") -> np.random.Generator:
    """Turn a seed, a ``Generator`` or ``None`` into a ``Generator``.

    Every stochastic function calls this once and passes the generator down,
    so results depend only on the seed the reader gives.
    """
    if rng is None or isinstance(rng, np.random.Generator):
        return np.random.default_rng(rng)
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"{name} must be a non-negative seed, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"{name} must be None, an int seed or a numpy Generator, "
        f"got {type(rng).__name__}"
    )


def check_int(value: object, name: str, minimum: int = 0) -> int:
    """Return ``value`` as an ``int`` if it is an integer ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_float(
    value: object,
    name: str,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` inside the given bounds.

    With ``strict=True`` the bounds are exclusive.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    x = float(value)
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x}")
    if minimum is not None and (x <= minimum if strict else x < minimum):
        op = ">" if strict else ">="
        raise ValueError(f"{name} must be {op} {minimum}, got {x}")
    if maximum is not None and (x >= maximum if strict else x > maximum):
        op = "<" if strict else "<="
        raise ValueError(f"{name} must be {op} {maximum}, got {x}")
    return x


def check_array(
    x: object,
    name: str,
    ndim: int | tuple[int, ...] | None = None,
    shape: tuple[int | None, ...] | None = None,
    dtype: type = np.float64,
) -> np.ndarray:
    """Convert ``x`` to a finite numeric array and check its dimensions.

    ``shape`` may contain ``None`` for "any length" along an axis.
    """
    if np.iscomplexobj(x):
        raise TypeError(f"{name} must be real, got complex values")
    try:
        raw = np.asarray(x)  # None, strings and objects are not numbers
        if raw.dtype.kind not in "biuf":
            raise TypeError
        a = np.asarray(raw, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}") from exc
    dims = (ndim,) if isinstance(ndim, int) else ndim
    if dims is not None and a.ndim not in dims:
        want = " or ".join(str(d) for d in dims)
        raise ValueError(f"{name} must be a {want}-D array, got shape {a.shape}")
    if shape is not None:
        ok = a.ndim == len(shape) and all(
            s is None or s == n for s, n in zip(shape, a.shape)
        )
        if not ok:
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}, got {a.shape}")
    if a.size and not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must contain only finite values")
    return a


def check_spins(
    x: object,
    name: str,
    ndim: int | tuple[int, ...] | None = None,
    shape: tuple[int | None, ...] | None = None,
) -> np.ndarray:
    """Check that ``x`` holds only the spin values -1 and +1.

    Returns a float64 copy (float so that matrix products use BLAS).
    """
    a = check_array(x, name, ndim=ndim, shape=shape)
    if a.size == 0:
        raise ValueError(f"{name} must not be empty")
    bad = (a != 1) & (a != -1)
    if np.any(bad):
        value = a[bad].flat[0]
        raise ValueError(f"{name} must contain only -1 and +1, found {value:g}")
    return a.copy()


def check_binary(x: object, name: str, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Check that ``x`` holds values in [0, 1] (binary or probabilities)."""
    a = check_array(x, name, ndim=ndim)
    if a.size == 0:
        raise ValueError(f"{name} must not be empty")
    if np.any((a < 0) | (a > 1)):
        raise ValueError(f"{name} must contain values in [0, 1]")
    return a
