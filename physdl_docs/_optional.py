"""Optional dependencies of physdl_docs.

PyTorch is an extra: ``pip install physdl-docs`` gives the numpy lessons,
``pip install "physdl-docs[torch]"`` adds torch for the lessons that train
networks with autograd. Every module imports torch through
:func:`require_torch`, inside the functions that use it, so that
``import physdl_docs.<module>`` works without torch and a torch function
called without it says how to install it.
"""

from __future__ import annotations

from types import ModuleType

#: The command that installs the torch extra (quoted for every shell).
TORCH_INSTALL = 'pip install "physdl-docs[torch]"'


def require_torch() -> ModuleType:
    """Import and return torch, or say how to install it.

    Returns
    -------
    module
        The ``torch`` module.

    Raises
    ------
    ModuleNotFoundError
        If torch is not installed; the message gives the install command.

    Examples
    --------
    >>> require_torch().__name__
    'torch'
    """
    try:
        import torch
    except ModuleNotFoundError as exc:
        if exc.name != "torch":  # torch is there but one of its own imports failed
            raise
        raise ModuleNotFoundError(
            "this part of physdl_docs needs PyTorch, an optional dependency: "
            f"{TORCH_INSTALL} (or install torch yourself, e.g. the CPU build "
            "from https://pytorch.org)",
            name="torch",
        ) from exc
    return torch
