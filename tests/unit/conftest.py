"""Guards for the unit tests: no test may change torch's global state.

A module that calls ``torch.set_default_dtype(torch.float64)`` at import
silently changes every test collected after it (a float32 model then meets
float64 inputs elsewhere). Use explicit ``dtype=torch.float64`` or a fixture
that restores the default.
"""

from __future__ import annotations

import sys

import pytest

MESSAGE = (
    "torch's default dtype is {dtype}, not float32: a test module changed it "
    "with torch.set_default_dtype and did not restore it. Pass dtype=torch.float64 "
    "explicitly, or use a fixture that restores the default."
)


@pytest.fixture(autouse=True)
def _torch_default_dtype_is_left_alone():
    torch = sys.modules.get("torch")
    if torch is not None:
        assert torch.get_default_dtype() == torch.float32, MESSAGE.format(
            dtype=torch.get_default_dtype())
    yield
    torch = sys.modules.get("torch")
    if torch is not None:
        assert torch.get_default_dtype() == torch.float32, MESSAGE.format(
            dtype=torch.get_default_dtype())
