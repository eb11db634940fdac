"""Exercise 05 -- Storage design (notebook ``notebooks/05_storage_design.ipynb``).

Size the arrays of one storage group, repair a design that cuts every corner,
spread two virtual servers' users over storage groups that still mount after a
failover, and design the storage for the paper's text's 10,000 users. Designs come
back as :class:`~labkit.planning.StorageDesign` objects rebuilt by the grader;
every requirement is computed here with the grader's own sizing.

>>> [q.name for q in exercise.questions]
['size_1800', 'repair', 'four_group_trap', 'ten_thousand']
>>> expected_sizes()
{'logs': 2, 'databases': 8, 'databases_raid5': 11}
"""
from __future__ import annotations

from labkit import Cluster
from labkit.grading.api import Exercise, expect
from labkit.grading.checks import check_design, need_virtual_server, same_nodes
from labkit.planning import StorageDesign, n_k_analysis, plan_storage
from labkit.planning import raid
from labkit.planning.storage import PAPER_2001, SizingAssumptions, size_database_array, size_log_array

exercise = Exercise("05_storage_design", "Storage design")

USERS_Q1 = 1800


def expected_sizes() -> dict[str, int]:
    """Drives for one storage group of 1,800 users with the paper's 2001 assumptions:
    the log mirror, the RAID 0+1 database array, and a RAID 5 database array instead."""
    a = PAPER_2001
    r5 = raid.drives_needed("RAID 5", capacity_gb=a.database_gb(USERS_Q1), iops=a.database_iops(USERS_Q1),
                            read_fraction=a.io.read_fraction, drive=a.drive, io=a.io)
    return {"logs": size_log_array(USERS_Q1).drives, "databases": size_database_array(USERS_Q1).drives,
            "databases_raid5": r5.drives}


@exercise.question(points=2)
def size_1800(drives_1800: dict[str, int]):
    """Size the log and database arrays for 1,800 users."""
    want = expected_sizes()
    expect(set(drives_1800) == set(want), "`drives_1800` should have exactly the keys " +
           ", ".join(repr(k) for k in want))
    hints = {"logs": "the transaction logs' RAID 1 array", "databases": "the RAID 0+1 database array",
             "databases_raid5": "a RAID 5 database array (mind the write penalty)"}
    for key in want:
        expect(drives_1800[key] == want[key], f"{hints[key]} for 1,800 users does not need "
                                              f"{drives_1800[key]} drives under labkit's 2001 sizing assumptions")


#: Question 2: the two storage groups the corner-cutting design serves, 1,000 users each.
REPAIR_USERS = {("EXVS1", "SG1"): 1000, ("EXVS2", "SG1"): 1000}


@exercise.question(points=3)
def repair(repaired: StorageDesign):
    """Repair the corner-cutting design so that the checker passes."""
    check_design(repaired, REPAIR_USERS, "repaired")


#: Question 3: users per virtual server and the most one storage group may hold.
TRAP_USERS = 2500
TRAP_MAX_PER_SG = 1250


@exercise.question(points=3)
def four_group_trap(c3: Cluster):
    """Spread 2 x 2,500 users over storage groups that mount after any failover."""
    same_nodes(c3, ["1-CURLY", "2-MOE"], "c3")
    for v in ("EXVS1", "EXVS2"):
        vs = need_virtual_server(c3, v, "c3")
        expect(vs.mailboxes == TRAP_USERS, f"{v} holds {vs.mailboxes:,} mailboxes, not {TRAP_USERS:,}")
        for sg in vs.storage_groups.values():
            n = sum(db.mailboxes for db in sg.databases.values())
            expect(n <= TRAP_MAX_PER_SG, f"storage group {sg.name!r} of {v} holds {n:,} users; at most "
                                         f"{TRAP_MAX_PER_SG:,} may share one set of logs")
    report = n_k_analysis(c3, 1)
    for case in report.cases:
        node = case.failed[0]
        expect(not case.refused, f"when {node} fails, an Information Store is refused on the other node: it would "
                                 "mount more storage groups than Exchange 2000 allows")
        expect(not case.down, f"when {node} fails, {', '.join(case.down)} does not run again")


#: Question 4: the text's worked example -- 10,000 users, four nodes, one storage group each.
TEN_K_USERS = {(f"EXVS{i}", "SG1"): 2500 for i in range(1, 5)}


def drive_budget() -> int:
    """Drives labkit's own sizing needs for 10,000 users on four nodes with 36.4 GB drives."""
    return plan_storage(10000, 4, assumptions=SizingAssumptions(drive=raid.DRIVE_36GB_10K)).total_drives


@exercise.question(points=2)
def ten_thousand(design_10000: StorageDesign):
    """Design the shared storage for the text's 10,000 users."""
    check_design(design_10000, TEN_K_USERS, "design_10000", spares=True)
    budget = drive_budget()
    expect(design_10000.total_drives <= budget,
           f"`design_10000` uses {design_10000.total_drives} drives; a design that passes can do with fewer")
