# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The all-region usage scan benchmark (benchmarks/scan.py --quick), as part of `make test`.

It starts its own moto_server, seeds an ECS-managed volume outside the default region, and runs
the info module through ansible-playbook: 3 one-region and 3 all-region scans after a warm-up of
each. It exits 0 only when every all-region scan found that volume and the median all-region run
took at most 2.5 times the median one-region run."""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "benchmarks", "scan.py")


def test_all_region_scan_costs_at_most_two_and_a_half_one_region_scans():
    proc = subprocess.run(
        [sys.executable, SCRIPT, "--quick"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
        check=False,  # the exit code is asserted with the output
    )
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout[-6000:]
    ratio = float(re.search(r"^all-region / one-region wall: ([0-9.]+)", proc.stdout, re.MULTILINE).group(1))
    assert ratio <= 2.5
    assert re.search(r"^all-region scan found volume vol-\w+ in ap-southeast-2;", proc.stdout, re.MULTILINE)
