# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ansible-rulebook runs its rules engine (Drools) in a Java 17+ runtime: find one or say how to get one.

``java_home()`` returns the JAVA_HOME to give ansible-rulebook (``$JAVA_HOME`` when set, else the
installation of the ``java`` on PATH) or raises ``JavaMissing`` with the message below. As a command
(``make eda`` runs it first) it prints the runtime found, or the message on stderr and exits 1.
"""

import os
import re
import shutil
import subprocess
import sys

MINIMUM = 17
HOW_TO_INSTALL = (
    f"ansible-rulebook needs a Java {MINIMUM}+ runtime (JAVA_HOME, or java on PATH). Install one, for example "
    "on Debian or Ubuntu: sudo apt-get install openjdk-17-jre-headless (then JAVA_HOME is "
    "/usr/lib/jvm/java-17-openjdk-amd64, or set it), or on Fedora/RHEL: sudo dnf install java-17-openjdk-headless"
)


class JavaMissing(RuntimeError):
    pass


def _major(java):
    try:
        proc = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False)
    except OSError as exc:
        raise JavaMissing(f"{java} does not run ({exc}). {HOW_TO_INSTALL}") from None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not found:
        raise JavaMissing(f"{java} -version printed no version. {HOW_TO_INSTALL}")
    major = int(found.group(1))
    return int(found.group(2)) if major == 1 else major  # "1.8.0" is Java 8


def java_home():
    home = os.environ.get("JAVA_HOME")
    if home:
        java = os.path.join(home, "bin", "java")
        if not os.access(java, os.X_OK):
            raise JavaMissing(f"JAVA_HOME={home} has no bin/java. {HOW_TO_INSTALL}")
    else:
        java = shutil.which("java")
        if not java:
            raise JavaMissing(f"no java on PATH and JAVA_HOME is not set. {HOW_TO_INSTALL}")
        home = os.path.dirname(os.path.dirname(os.path.realpath(java)))
    major = _major(java)
    if major < MINIMUM:
        raise JavaMissing(f"{java} is Java {major}. {HOW_TO_INSTALL}")
    return home


def main():
    try:
        home = java_home()
    except JavaMissing as exc:
        sys.stderr.write(f"make eda: {exc}\n")
        return 1
    sys.stdout.write(f"Java runtime for ansible-rulebook: {home}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
