"""A plain ``pip install .`` ships only the packages pyproject.toml names: every
subpackage of ``stance`` must be on that list, or the installed ``stance`` command
fails to import (the editable install used for development hides it)."""

from __future__ import annotations

import pytest

from .conftest import REPO


def test_every_subpackage_is_listed_in_pyproject() -> None:
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in Python 3.11+")
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "stance").rglob("__init__.py")
    }
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"
    assert "stance_models" in listed
