"""Planning an Exchange 2000 cluster before building it: pure model code.

Modules (each can be used on its own; none needs the Exchange layer):

- :mod:`~labkit.planning.raid` -- drives, RAID 0/1/0+1/5 arrays, the I/O model
  with the write penalty, online spares, storage enclosures (RA4100: 12 bays);
- :mod:`~labkit.planning.storage` -- storage designs, the Table 8 design checker,
  sizing from users, and the paper's Table 9 (rebuilt and as printed);
- :mod:`~labkit.planning.storage_rules` -- the Table 8 design checker;
- :mod:`~labkit.planning.naming` -- the Table 10 naming and IP plan for N nodes,
  and its checker;
- :mod:`~labkit.planning.availability` -- nines and downtime, causes of
  downtime and what clustering removes, k-out-of-n, the ROI worksheet;
- :mod:`~labkit.planning.hardware` -- hardware topology as a networkx graph
  (``topology``), the failure replay (``replay``), the single-point-of-failure
  report (``spof``) and the paper's Compaq presets (``presets``);
- :mod:`~labkit.planning.editions` -- Windows edition and Exchange 2000 release
  support for N-node clusters;
- :mod:`~labkit.planning.findings` -- the :class:`Violation` record the checkers
  return;
- :mod:`~labkit.planning.load` -- the load strategies of "Cluster Load Planning"
  (and Microsoft's later active/passive advice) and load plans;
- :mod:`~labkit.planning.nk` -- N-k analysis through the real failover model;
- :mod:`~labkit.planning.failures` -- a load plan's failures predicted: the worst
  failure of k nodes, each node against its optimal load, strategies compared
  (what the load planner widget shows);
- :mod:`~labkit.planning.montecarlo` -- a seeded Monte Carlo of node failures and
  repairs through the failover model, against the closed-form k-out-of-n.

``load``, ``nk`` and ``montecarlo`` read Exchange virtual servers from a cluster; they
import the Exchange layer only when a function needs it, so importing this
package stays light.

>>> from labkit import planning
>>> d = planning.table9()
>>> d.total_drives, planning.check_storage(d)
(36, [])
>>> planning.naming_plan(4).address_of("EXVS3")
'132.192.1.31'
>>> planning.spof_report(planning.hardware.ha_f500()).no_spof
True
"""
from . import (availability, editions, failures, findings, hardware, load, montecarlo, naming, nk, raid, storage,
               storage_rules)
from .availability import (GIGA_USD_PER_USER_PER_YEAR, MSCS_BEST, PAPER_LOCKSTEP, Cause, RoiWorksheet,
                           availability_from_downtime, clustering_effect, describe, downtime_per_year, from_nines,
                           k_out_of_n, nines)
from .editions import check_cluster as check_edition_of_cluster
from .editions import check_exchange_cluster
from .findings import Violation
from .hardware import (PRESETS as HARDWARE_PRESETS, Topology, build_cluster, failure_outcome, node_spofs,
                       redundancy_ladder, spof_report)
from .naming import NamingPlan, PlanEntry, PlanRole, check_naming, naming_plan, require_valid_naming, table10
from .raid import (DRIVE_18GB_10K, RA4100, Array, DriveModel, EnclosureModel, IOModel, OnlineSpare, RaidLevel,
                   drives_needed)
from .storage import (PAPER_2001, PlannedArray, SizingAssumptions, StorageDesign, database, edb, logs, plan_storage,
                      quorum, stm, table9, table9_as_printed)
from .storage_rules import check as check_storage
from .storage_rules import require_valid as require_valid_storage
from .load import LoadPlan, Placement, Strategy, VirtualServerPlan, plan_load, plan_of
from .nk import FailureCase, NkReport, check_failover, check_possible_owners, n_k_analysis, simulate_failures
from .montecarlo import MonteCarloResult, ServerAvailability, monte_carlo, nodes_needed
from .failures import (LoadReport, compare_strategies, load_summary, load_text, plan_failures, report_for,
                       worst_failure)

__all__ = [
    "availability", "editions", "findings", "hardware", "naming", "raid", "storage", "storage_rules",
    "Violation",
    "RaidLevel", "DriveModel", "DRIVE_18GB_10K", "IOModel", "Array", "drives_needed", "OnlineSpare",
    "EnclosureModel", "RA4100",
    "StorageDesign", "PlannedArray", "quorum", "logs", "database", "edb", "stm", "SizingAssumptions",
    "PAPER_2001", "plan_storage", "table9", "table9_as_printed", "check_storage", "require_valid_storage",
    "NamingPlan", "PlanEntry", "PlanRole", "naming_plan", "check_naming", "require_valid_naming", "table10",
    "downtime_per_year", "availability_from_downtime", "nines", "from_nines", "describe", "PAPER_LOCKSTEP",
    "MSCS_BEST", "Cause", "clustering_effect", "k_out_of_n", "RoiWorksheet", "GIGA_USD_PER_USER_PER_YEAR",
    "Topology", "build_cluster", "spof_report", "failure_outcome", "node_spofs", "redundancy_ladder",
    "HARDWARE_PRESETS",
    "check_exchange_cluster", "check_edition_of_cluster",
    "load", "montecarlo", "nk",
    "Strategy", "VirtualServerPlan", "LoadPlan", "Placement", "plan_load", "plan_of", "FailureCase", "NkReport",
    "simulate_failures", "n_k_analysis", "check_possible_owners", "check_failover",
    "MonteCarloResult", "ServerAvailability", "monte_carlo", "nodes_needed",
    "failures", "LoadReport", "plan_failures", "report_for", "worst_failure", "compare_strategies", "load_summary",
    "load_text",
]
