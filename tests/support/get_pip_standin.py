# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the pip bootstrap script ansible-test downloads from ci-files.testing.ansible.com.

That host is unreachable where this project's CI runs (only PyPI is), so `make sanity` puts this
file in ansible-test's cache. It does what get-pip.py does: run a pip wheel to install the requested
pip (from PyPI) into the interpreter running it.

The wheel is the one ensurepip would use, found the way ensurepip finds it: CPython's own
``ensurepip/_bundled`` (python.org builds, pyenv), or the directory the distribution names in
``WHEEL_PKG_DIR`` (Debian and Ubuntu leave ``_bundled`` empty and ship the wheel in
``/usr/share/python-wheels`` with the python3-pip-whl package; Fedora does the same).
"""

import ensurepip
import glob
import os
import sys
import sysconfig


def pip_wheels():
    """Every pip wheel ensurepip could use, most preferred first."""
    found = []
    get_packages = getattr(ensurepip, "_get_packages", None)  # CPython 3.11 and later
    if get_packages is not None:
        package = get_packages().get("pip")
        if package is not None:
            if getattr(package, "wheel_path", None):
                found.append(package.wheel_path)
            elif getattr(package, "wheel_name", None):
                found.append(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", package.wheel_name))
    directories = [os.path.join(os.path.dirname(ensurepip.__file__), "_bundled")]
    directories.append(sysconfig.get_config_var("WHEEL_PKG_DIR") or "/usr/share/python-wheels")
    for directory in directories:
        found.extend(sorted(glob.glob(os.path.join(directory, "pip-*.whl")), reverse=True))
    unique = []
    for path in found:
        if os.path.isfile(path) and path not in unique:
            unique.append(path)
    return unique


def main(argv):
    wheels = pip_wheels()
    if not wheels:
        sys.stderr.write(
            "get_pip_standin: no pip wheel for {0}: neither ensurepip/_bundled nor WHEEL_PKG_DIR ({1}) holds one; "
            "install the distribution's pip wheel package (Debian/Ubuntu: python3-pip-whl).\n".format(
                sys.executable, sysconfig.get_config_var("WHEEL_PKG_DIR") or "/usr/share/python-wheels"
            )
        )
        return 1
    sys.path.insert(0, wheels[0])
    from pip._internal.cli.main import main as pip_main

    arguments = [a for a in argv if a not in ("--no-setuptools", "--no-wheel")]
    return pip_main(["install"] + arguments)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
