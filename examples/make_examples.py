"""Build the example cluster files in this folder with labkit's public API.

    .venv/bin/python examples/make_examples.py            # (re)write the files
    .venv/bin/python examples/make_examples.py --check    # exit 1 if a file is out of date

- ``two_node_file_share.yaml``: a Windows 2000 Advanced Server cluster of two nodes
  with the classic file-share group (paper, Resources and Resource Groups: a Physical
  Disk, an IP Address, a Network Name on the IP Address, a File Share on both), online
  on its preferred owner 1-CURLY.
- ``exchange_two_node.yaml``: the paper's two-node Active/Active Exchange 2000 cluster:
  Exchange installed on both nodes one at a time, virtual servers EXVS1 on 1-CURLY and
  EXVS2 on 2-MOE, each with a data disk and a log disk and 500 mailboxes; names and
  addresses follow the paper's Table 10.
- ``four_node_5000.yaml``: the reference cluster, the paper's 4-node, 5,000-user
  design (Figure 7, Tables 9 and 10) as :func:`labkit.scenarios.four_node_5000` builds
  it: FOUR-STOOGES with EXVS1 ... EXVS4 online on 1-CURLY ... 4-JERRY, 1,250 users each.
"""
from __future__ import annotations

import sys
from pathlib import Path

import labkit as lk
from labkit import exchange as ex
from labkit import files, scenarios

HERE = Path(__file__).resolve().parent


def two_node_file_share() -> lk.Cluster:
    c = lk.Cluster("FS-CLUSTER", ip="132.192.1.100", edition="Advanced Server")
    c.add_node("1-CURLY", ip="132.192.1.10")
    c.add_node("2-MOE", ip="132.192.1.20")
    c.add_group("FILES", preferred_owners=["1-CURLY", "2-MOE"])
    c.add_resource("Disk F:", type="Physical Disk", group="FILES", drive="F:")
    c.add_resource("FILESRV IP Address", type="IP Address", group="FILES", address="132.192.1.12")
    c.add_resource("FILESRV Network Name", type="Network Name", group="FILES", name="FILESRV",
                   dependencies=["FILESRV IP Address"])
    c.add_resource("Public Share", type="File Share", group="FILES", share_name="PUBLIC", path="F:\\PUBLIC",
                   dependencies=["Disk F:", "FILESRV Network Name"])
    c.online_group("FILES")
    c.run_until_stable()
    return c


def exchange_two_node() -> lk.Cluster:
    c = lk.Cluster("FOUR-STOOGES", ip="132.192.1.100", edition="Advanced Server")
    c.add_node("1-CURLY", ip="132.192.1.10")
    c.add_node("2-MOE", ip="132.192.1.20")
    c.run_until_stable()
    for node in ("1-CURLY", "2-MOE"):     # one installation at a time (paper, Installing Exchange 2000)
        ex.install(c, node)
        c.run_until_stable()
    for evs, ip, disks, node in (("EXVS1", "132.192.1.11", ["Disk E:", "Disk L:"], "1-CURLY"),
                                 ("EXVS2", "132.192.1.21", ["Disk F:", "Disk M:"], "2-MOE")):
        ex.create_virtual_server(c, evs, ip=ip, disks=disks, node=node)
        c.online_group(evs)
        c.run_until_stable()
        ex.add_mailboxes(c, evs, f"Mailbox Store ({evs})", 500)
        ex.set_clients(c, evs, pop3=50, http=100)
    c.run_until_stable()
    return c


def four_node_5000() -> lk.Cluster:
    """The reference cluster (labkit.scenarios.four_node_5000, default arguments)."""
    return scenarios.four_node_5000()


EXAMPLES = {"two_node_file_share.yaml": two_node_file_share, "exchange_two_node.yaml": exchange_two_node,
            "four_node_5000.yaml": four_node_5000}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, build in EXAMPLES.items():
        text = files.dumps(build(), "yaml")
        path = HERE / name
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(HERE.parent)}")
    for name in stale:
        print(f"examples/{name} is out of date: run examples/make_examples.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
