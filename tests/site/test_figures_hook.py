"""The build-time figure hook: deterministic SVG, regenerated only on change."""

import importlib.util
from pathlib import Path

from physdl_docs._plotting import new_figure, to_svg

ROOT = Path(__file__).resolve().parents[2]


def _load_hook():
    spec = importlib.util.spec_from_file_location("figures_hook", ROOT / "hooks" / "figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _figure():
    fig = new_figure(2, 2)
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [0, 1, 4])
    return fig


def test_svg_is_deterministic():
    # the same drawing gives the same bytes: no dates, no random ids
    assert to_svg(_figure()) == to_svg(_figure())


def test_every_registered_figure_has_a_unique_svg_name():
    figures = _load_hook().collect_figures()
    for name, make in figures.items():
        assert name.endswith(".svg") and "/" not in name, name
        assert callable(make), name


def test_generate_writes_then_skips_when_unchanged(tmp_path, monkeypatch):
    hook = _load_hook()
    monkeypatch.setattr(hook, "collect_figures", lambda: {"demo.svg": _figure})
    assert hook.generate(tmp_path) == ["demo.svg"]
    assert (tmp_path / "demo.svg").read_bytes().startswith(b"<?xml")
    # unchanged sources: nothing is recomputed or rewritten
    assert hook.generate(tmp_path) == []
    # forced: recomputed, but identical bytes are not rewritten
    assert hook.generate(tmp_path, force=True) == []
