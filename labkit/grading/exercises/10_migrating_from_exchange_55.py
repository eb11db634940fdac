"""Exercise 10 -- Migrating from Exchange 5.5 (notebook ``notebooks/10_migrating_from_exchange_55.ipynb``).

Get an Exchange 5.5 site ready for Microsoft's in-place upgrade, find which
strategy can run to its end in that site, build the Exchange 2000 cluster that
mailbox relocation moves the users to, and compare what each strategy costs the
users. Site facts come back as an :class:`~labkit.procedures.ExchangeSite`, the new
cluster is rebuilt; the grader runs both procedures on its own 5.5 cluster.

>>> [q.name for q in exercise.questions]
['site_ready', 'which_finishes', 'cluster_beside', 'user_outage']
>>> expected_verdicts()
{'in-place upgrade': None, 'mailbox relocation': 'decommission the Exchange 5.5 cluster'}
"""
from __future__ import annotations

from dataclasses import replace

from labkit import Cluster, LabkitError
from labkit import exchange as ex
from labkit import procedures as pr
from labkit import scenarios
from labkit.grading.api import Exercise, expect
from labkit.grading.checks import online_on, stopped_at
from labkit.procedures import ConnectionAgreement, ExchangeSite

exercise = Exercise("10_migrating_from_exchange_55", "Migrating from Exchange 5.5")

USERS = 1000

#: The site as the learner finds it (the notebook's ``found``).
FOUND = ExchangeSite(name="HEADQUARTERS", exchange55_service_pack=2, cluster_windows="Windows 2000",
                     domain="Windows NT 4.0", adc_run=False, exchange2000_servers=[], srs_server=None,
                     bridgehead="EXVS1", first_server="EXVS1",
                     connection_agreements=[ConnectionAgreement("CA-HQ", "EXVS1"),
                                            ConnectionAgreement("CA-BRANCH", "EX55-BRANCH")])
#: The same site once ready for the in-place upgrade (the grader's own answer to question 1).
READY = replace(FOUND, exchange55_service_pack=3, domain="Windows 2000", adc_run=True,
                exchange2000_servers=["EX2K-SRS"], srs_server="EX2K-SRS", bridgehead="EX55-BRANCH",
                connection_agreements=[ConnectionAgreement("CA-BRANCH", "EX55-BRANCH")])
#: Where mailbox relocation can decommission the 5.5 cluster (it is not the site's first server).
RELOCATION_SITE = replace(READY, first_server="EX55-HUB")


def old55() -> Cluster:
    """The Exchange 5.5 active/passive cluster with its 1,000 mailboxes (the notebook's ``old``)."""
    return scenarios.two_node_active_passive_55(USERS)


@exercise.question(points=3)
def site_ready(ready_site: ExchangeSite):
    """Make the site ready for the in-place upgrade."""
    expect(ready_site.name == FOUND.name and ready_site.first_server == FOUND.first_server,
           "the site's name and its first server are history: they cannot change")
    expect(ready_site.bridgehead is not None, "the site still needs a bridgehead to the other Exchange 5.5 sites")
    kept = [ca.name for ca in FOUND.connection_agreements if ca.points_to.upper() != "EXVS1"]
    have = [ca.name for ca in ready_site.connection_agreements]
    expect(all(k in have for k in kept), "a connection agreement the upgrade does not touch has gone: the branch "
                                         "still needs it")
    try:
        report = pr.in_place_upgrade(old55(), ready_site).run()
    except LabkitError as e:
        expect(False, "the in-place upgrade stops " + stopped_at(e))
    expect(report.complete, "the in-place upgrade did not complete")


def beside() -> Cluster:
    """The grader's own Exchange 2000 cluster for relocations: two nodes on 132.192.2.0/24."""
    from labkit.planning import naming_plan, plan_load, plan_storage
    names = ["3-LARRY", "4-JERRY"]
    naming = naming_plan(2, cluster_name="NEW-STOOGES", node_names=names, subnet="132.192.2.0/24", vs_prefix="EX2K")
    return scenarios.build(naming, plan_storage(USERS, 1, virtual_servers=["EX2K1"]),
                           plan_load("standby", names, 0, vs_prefix="EX2K"), edition="Advanced Server").cluster


def _verdict(make) -> str | None:
    try:
        make().run()
    except LabkitError as e:
        return getattr(e, "step", None) or "before its first step"
    return None


def expected_verdicts() -> dict[str, str | None]:
    """In the ready site (first server EXVS1): None for a strategy that runs to its end, else the
    step it stops at."""
    return {"in-place upgrade": _verdict(lambda: pr.in_place_upgrade(old55(), READY)),
            "mailbox relocation": _verdict(lambda: pr.mailbox_relocation(old55(), beside(), READY))}


@exercise.question(points=2)
def which_finishes(verdicts: dict[str, str | None]):
    """Which strategy runs to its end in this site, and where does the other stop?"""
    want = expected_verdicts()
    expect(set(verdicts) == set(want), "`verdicts` should have the keys " + ", ".join(map(repr, want)))
    for k, v in want.items():
        if v is None:
            expect(verdicts[k] is None, f"the {k} does run to its end in this site")
        else:
            expect(verdicts[k] is not None, f"the {k} does not run to its end in this site")
            expect(verdicts[k] == v, f"the {k} does not stop at step {verdicts[k]!r} (give the step's name as the "
                                     "procedure names it)")


MAX_BATCHES = 4
MAX_BATCH_MIN = 120


def _names_and_addresses(c: Cluster) -> tuple[set, set]:
    names = {c.name.upper(), *(n.upper() for n in c.nodes)}
    names |= {str(r.properties.get("name", "")).upper() for r in c.resources.values() if r.type == "Network Name"}
    ips = {c.ip, *(n.ip for n in c.nodes.values())}
    ips |= {r.properties.get("address") for r in c.resources.values() if r.type == "IP Address"}
    return names - {""}, ips - {None}


@exercise.question(points=3)
def cluster_beside(c3: Cluster, batch: int):
    """Build the Exchange 2000 cluster beside the 5.5 one and move the mailboxes in batches."""
    old = old55()
    vss = ex.virtual_servers(c3)
    expect(vss, "`c3` has no Exchange 2000 virtual server to move the mailboxes to")
    expect(online_on(c3, ex.virtual_server(c3, vss[0]).group) is not None, f"{vss[0]} is not online in `c3`")
    (n1, a1), (n2, a2) = _names_and_addresses(old), _names_and_addresses(c3)
    clash = sorted(n1 & n2) + sorted(a1 & a2)
    expect(not clash, f"`c3` uses {clash[0] if clash else ''}, which the Exchange 5.5 cluster uses too: both run "
                      "side by side during the move")
    try:
        report = pr.mailbox_relocation(old, c3, RELOCATION_SITE, batch=batch).run()
    except LabkitError as e:
        expect(False, "the relocation stops " + stopped_at(e))
    rows = report.table("batches")
    expect(len(rows) <= MAX_BATCHES, f"the move takes {len(rows)} batches: more than {MAX_BATCHES} nights")
    longest = max(r["minutes"] for r in rows)
    expect(longest <= MAX_BATCH_MIN, f"a batch takes {longest:g} minutes: longer than the 2-hour window")


RELOCATION_BATCH = 250


def expected_outage() -> dict[str, float]:
    """Minutes a user is cut off: the in-place upgrade's interruption, and the longest batch
    of a relocation in batches of 250."""
    inplace = pr.in_place_upgrade(old55(), READY).run()
    reloc = pr.mailbox_relocation(old55(), beside(), RELOCATION_SITE, batch=RELOCATION_BATCH).run()
    return {"in-place upgrade": inplace.interruptions[0].seconds / 60,
            "mailbox relocation": max(r["minutes"] for r in reloc.table("batches"))}


@exercise.question(points=2)
def user_outage(outage_min: dict[str, float]):
    """How long is a user without mail under each strategy?"""
    want = expected_outage()
    expect(set(outage_min) == set(want), "`outage_min` should have the keys " + ", ".join(map(repr, want)))
    for k, v in want.items():
        expect(abs(outage_min[k] - v) < 0.1, f"under the {k} a user is not cut off for {outage_min[k]:g} minutes")
