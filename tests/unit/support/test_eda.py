# Copyright: Contributors to the ecs_tools.iam collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/support/eda.py's count of the rule's once_after windows, which bounds the runs a burst of events
may start (tests/integration/test_eda_repair.py)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "support"))

import eda  # noqa: E402


def test_events_within_the_window_of_the_first_are_one_window():
    assert eda.throttle_windows([]) == 0
    assert eda.throttle_windows([100.0]) == 1
    assert eda.throttle_windows([100.0 + i * 0.05 for i in range(50)]) == 1  # 50 events in 2.5 s
    assert eda.throttle_windows([100.0, 103.0]) == 1  # the window holds its last instant


def test_an_event_after_the_window_opens_the_next():
    assert eda.throttle_windows([100.0, 103.1]) == 2
    # 50 events over 7.35 s: windows open at 100.0, 103.15 and 106.3 (unsorted input is fine)
    times = [100.0 + i * 0.15 for i in range(50)]
    assert eda.throttle_windows(list(reversed(times))) == 3
    assert eda.throttle_windows([100.0, 101.0], seconds=0.5) == 2
