"""The package's metadata: ranges for users, exact pins for the site.

pyproject.toml declares what a library user needs (ranges, torch as an
extra); constraints.txt pins the whole environment the site is verified
with, and make and CI install with it. These tests keep the two consistent
and check that every place naming the version names the same one.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import physdl_docs

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = physdl_docs.__version__


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            pins[canonicalize_name(name)] = version
    return pins


def _requirements() -> list[Requirement]:
    project = PYPROJECT["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        found += [Requirement(r) for r in extra]
    return [r for r in found if canonicalize_name(r.name) != "physdl-docs"]


def test_dependencies_are_ranges_and_torch_is_an_extra():
    project = PYPROJECT["project"]
    deps = {canonicalize_name(Requirement(r).name): Requirement(r) for r in project["dependencies"]}
    # numpy, scipy and scikit-learn, each with a lower bound and no exact pin
    assert set(deps) == {"numpy", "scipy", "scikit-learn"}
    for req in deps.values():
        assert any(s.operator == ">=" for s in req.specifier), req
        assert not any(s.operator in ("==", "===", "<", "<=", "~=") for s in req.specifier), req
    # torch only through the extra; matplotlib only for the figures (docs)
    extras = project["optional-dependencies"]
    assert [Requirement(r).name for r in extras["torch"]] == ["torch"]
    assert "matplotlib" in extras["docs"]
    assert "physdl-docs[torch,docs,test]" in extras["dev"]
    # the extras name packages; their exact versions live in constraints.txt
    # only (one place to upgrade, nothing pinned on a user who installs one)
    pinned = [r for extra in extras.values() for r in extra if "==" in r]
    assert pinned == [], f"pin these in constraints.txt, not in pyproject.toml: {pinned}"


def test_constraints_pin_every_requirement_inside_its_range():
    pins = _pins()
    problems = []
    for req in _requirements():
        pin = pins.get(canonicalize_name(req.name))
        if pin is None:
            problems.append(f"{req.name} is not pinned in constraints.txt")
        elif not req.specifier.contains(pin, prereleases=True):
            problems.append(f"constraints.txt pins {req.name}=={pin}, outside {req}")
    assert problems == [], "\n".join(problems)


def test_make_oldest_tests_the_lower_ends_of_the_ranges():
    # tests/package/oldest.txt holds exactly the lower bounds pyproject declares
    oldest = {}
    for line in (ROOT / "tests" / "package" / "oldest.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            oldest[canonicalize_name(name)] = version
    bounds = {}
    project = PYPROJECT["project"]
    for r in [*project["dependencies"], *project["optional-dependencies"]["torch"]]:
        req = Requirement(r)
        (low,) = [s.version for s in req.specifier if s.operator == ">="]
        bounds[canonicalize_name(req.name)] = low
    assert set(oldest) == set(bounds)
    for name, low in bounds.items():
        assert Version(oldest[name]) == Version(low), (name, oldest[name], low)


def test_the_version_is_written_once():
    # pyproject reads the version from physdl_docs.__version__
    assert "version" in PYPROJECT["project"]["dynamic"]
    assert "version" not in PYPROJECT["project"]
    dynamic = PYPROJECT["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "physdl_docs.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)


def test_readme_and_the_reading_guide_give_the_install_command_of_this_version():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # the install line names this version; the badge shows PyPI's
    assert f"pip install physdl-docs=={VERSION}" in readme
    assert f'pip install "physdl-docs[torch]=={VERSION}"' in readme
    assert "https://img.shields.io/pypi/v/physdl-docs" in readme
    for language in ("ko", "en"):
        page = (ROOT / "docs" / "start" / f"how-to-read.{language}.md").read_text(encoding="utf-8")
        assert f"pip install physdl-docs=={VERSION}" in page, language
        assert f'pip install "physdl-docs[torch]=={VERSION}"' in page, language


def test_the_release_workflow_publishes_tags_with_trusted_publishing():
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    # on a version tag, after the tests, with an OIDC token and no secret
    assert re.search(r"tags:\s*\n\s*-\s*[\"']?v\*", text)
    assert "id-token: write" in text
    assert "pypa/gh-action-pypi-publish" in text
    assert "bash .ci/run" in text
    assert "password:" not in text and "secrets." not in text
