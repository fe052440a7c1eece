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
    "ansible-rulebook needs a Java {0}+ runtime (JAVA_HOME, or java on PATH). Install one, for example "
    "on Debian or Ubuntu: sudo apt-get install openjdk-17-jre-headless (then JAVA_HOME is "
    "/usr/lib/jvm/java-17-openjdk-amd64, or set it), or on Fedora/RHEL: sudo dnf install java-17-openjdk-headless"
).format(MINIMUM)


class JavaMissing(RuntimeError):
    pass


def _major(java):
    try:
        proc = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False)
    except OSError as exc:
        raise JavaMissing("{0} does not run ({1}). {2}".format(java, exc, HOW_TO_INSTALL)) from None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not found:
        raise JavaMissing("{0} -version printed no version. {1}".format(java, HOW_TO_INSTALL))
    major = int(found.group(1))
    return int(found.group(2)) if major == 1 else major  # "1.8.0" is Java 8


def java_home():
    home = os.environ.get("JAVA_HOME")
    if home:
        java = os.path.join(home, "bin", "java")
        if not os.access(java, os.X_OK):
            raise JavaMissing("JAVA_HOME={0} has no bin/java. {1}".format(home, HOW_TO_INSTALL))
    else:
        java = shutil.which("java")
        if not java:
            raise JavaMissing("no java on PATH and JAVA_HOME is not set. {0}".format(HOW_TO_INSTALL))
        home = os.path.dirname(os.path.dirname(os.path.realpath(java)))
    major = _major(java)
    if major < MINIMUM:
        raise JavaMissing("{0} is Java {1}. {2}".format(java, major, HOW_TO_INSTALL))
    return home


def main():
    try:
        home = java_home()
    except JavaMissing as exc:
        sys.stderr.write("make eda: {0}\n".format(exc))
        return 1
    sys.stdout.write("Java runtime for ansible-rulebook: {0}\n".format(home))
    return 0


if __name__ == "__main__":
    sys.exit(main())
