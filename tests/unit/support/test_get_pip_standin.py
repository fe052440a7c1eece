# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The get-pip stand-in finds pip's wheel where CPython bundles it and where distributions put it."""

import ensurepip
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "support"))

import get_pip_standin  # noqa: E402


def test_this_interpreter_has_a_pip_wheel():
    wheels = get_pip_standin.pip_wheels()
    assert wheels and all(os.path.basename(w).startswith("pip-") and w.endswith(".whl") for w in wheels)
    assert len(wheels) == len(set(wheels))


@pytest.fixture
def debian_layout(tmp_path, monkeypatch):
    """ensurepip/_bundled empty, the wheel in WHEEL_PKG_DIR (Debian/Ubuntu's python3.11)."""
    fake_ensurepip = tmp_path / "ensurepip"
    (fake_ensurepip / "_bundled").mkdir(parents=True)
    wheels = tmp_path / "python-wheels"
    wheels.mkdir()
    monkeypatch.setattr(ensurepip, "__file__", str(fake_ensurepip / "__init__.py"))
    monkeypatch.delattr(ensurepip, "_get_packages", raising=False)
    config = get_pip_standin.sysconfig.get_config_var
    monkeypatch.setattr(
        get_pip_standin.sysconfig,
        "get_config_var",
        lambda name: str(wheels) if name == "WHEEL_PKG_DIR" else config(name),
    )
    return wheels


def test_debian_layout_uses_the_wheel_package_dir(debian_layout):
    (debian_layout / "pip-23.0.1-py3-none-any.whl").write_bytes(b"")
    (debian_layout / "setuptools-66.1.1-py3-none-any.whl").write_bytes(b"")
    assert get_pip_standin.pip_wheels() == [str(debian_layout / "pip-23.0.1-py3-none-any.whl")]


def test_no_wheel_anywhere_is_a_clear_error(debian_layout, capsys):
    assert get_pip_standin.main(["pip==24.2"]) == 1
    assert "python3-pip-whl" in capsys.readouterr().err
