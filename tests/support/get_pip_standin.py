# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the pip bootstrap script ansible-test downloads from ci-files.testing.ansible.com.

That host is unreachable where this project's CI runs (only PyPI is), so `make sanity` puts this
file in ansible-test's cache. It does what get-pip.py does: run the pip wheel that CPython's
ensurepip bundles to install the requested pip (from PyPI) into the interpreter running it.
"""

import ensurepip
import glob
import os
import sys

wheel = sorted(glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl")))[-1]
sys.path.insert(0, wheel)

from pip._internal.cli.main import main as pip_main  # noqa: E402

arguments = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(pip_main(["install"] + arguments))
