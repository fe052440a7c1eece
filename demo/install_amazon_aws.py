# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""For `make demo`: unpack only the amazon.aws collection from an `ansible` wheel into this
interpreter's site-packages, where ansible-core finds collections (ansible_collections/ on sys.path).

The `ansible` bundle is how CI gets amazon.aws (Galaxy is unreachable), but installed whole it writes
about 470 MB of collections the demo never loads, which is most of a cold `make demo`."""

import json
import sys
import sysconfig
import zipfile

PREFIX = "ansible_collections/amazon/aws/"


def main(wheel):
    target = sysconfig.get_paths()["purelib"]
    with zipfile.ZipFile(wheel) as archive:
        members = [name for name in archive.namelist() if name.startswith(PREFIX)]
        if not members:
            raise SystemExit(f"{wheel} holds no {PREFIX}")
        archive.extractall(target, members)
        version = json.loads(archive.read(PREFIX + "MANIFEST.json"))["collection_info"]["version"]
    print(f"amazon.aws {version} unpacked from {wheel} ({len(members)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
