"""Every ready-made cluster in one place, built only through the public API.

- :mod:`labkit.scenarios.reference` -- the paper's designs: :func:`four_node_5000`
  (the 4-node, 5,000-user cluster), :func:`exchange_cluster` (the same recipe for any
  size), :func:`two_node_active_passive_55`, :func:`flawed_design` and
  :func:`fixed_design`, and :func:`build`, the recipe itself.
- :mod:`labkit.scenarios.exchange_demo` -- :func:`demo_cluster`, two nodes and one
  Exchange virtual server for examples (also ``labkit.exchange.demo_cluster``).
- :mod:`labkit.scenarios.file_share` -- :func:`file_share_cluster`,
  :func:`service_cluster` and :func:`two_node_demo`, clusters without Exchange for the
  widgets, the notebooks' demonstrations, the grader and the benchmarks.

>>> from labkit import scenarios
>>> c = scenarios.four_node_5000()
>>> sorted(c.nodes)
['1-CURLY', '2-MOE', '3-LARRY', '4-JERRY']
"""
from .exchange_demo import demo_cluster
from .file_share import (DRIVE_LETTERS, SERVICE_TREE, add_file_share_group, file_share_cluster, service_cluster,
                         two_node_demo)
from .reference import (DATABASE_DRIVES, FIRST_SG, FLAWED_USERS, LOG_DRIVES, OTHER_DRIVES, REFERENCE_STRATEGIES,
                        SRC_FIG7, Scenario, build, exchange_cluster, fixed_design, flawed_design, flaws,
                        four_node_5000, mailbox_store_name, reference_5000, two_node_active_passive_55)

__all__ = ["four_node_5000", "reference_5000", "exchange_cluster", "two_node_active_passive_55", "flawed_design",
           "fixed_design", "flaws", "build", "Scenario", "mailbox_store_name", "REFERENCE_STRATEGIES",
           "FLAWED_USERS", "SRC_FIG7", "DATABASE_DRIVES", "LOG_DRIVES", "OTHER_DRIVES", "FIRST_SG",
           "demo_cluster", "file_share_cluster", "service_cluster", "add_file_share_group", "SERVICE_TREE",
           "DRIVE_LETTERS", "two_node_demo"]
