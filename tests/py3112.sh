#!/bin/sh
# Runs the tarball and upgrade tests with Debian 12's own python3.11 (3.11.2, before 3.11.4 added
# TarFile.extractall's filter argument), the oldest Python the README accepts (issue 21, item 5).
#   tests/py3112.sh [PYTHON]   (default /usr/bin/python3.11; the venv is .build/py3112-venv)
set -eu
cd "$(dirname "$0")/.."
PYTHON=${1:-/usr/bin/python3.11}
VENV=.build/py3112-venv
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11, 2), sys.version'
if [ ! -x "$VENV/bin/pytest" ]; then
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet \
        'ansible-core>=2.19,<2.20' 'ansible>=12,<13' 'boto3>=1.34' 'botocore>=1.34' \
        'moto[server]>=5.2,<5.3' 'pytest>=8' 'pytest-xdist>=3' pyyaml
fi
"$VENV/bin/python" --version
exec "$VENV/bin/pytest" tests/integration/test_upgrade.py tests/integration/test_build.py -n 0 -p no:randomly -v
