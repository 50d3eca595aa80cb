"""Tooling shared by the mkdocs hooks, the Sybil set-up and the site tests.

Not part of the installable package: nothing under physdl_docs imports it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def load_hook(stem: str) -> ModuleType:
    """The mkdocs hook ``hooks/<stem>.py`` as a module, imported once.

    mkdocs loads hooks from their files, not as a package; tests that call a
    hook's functions share one module object, ``sys.modules["<stem>_hook"]``.
    """
    name = f"{stem}_hook"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "hooks" / f"{stem}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
