"""Edition and Exchange 2000 release checks (the paper's note on 2-node RTM and 4-node Datacenter)."""
import pytest

import labkit as lk
from labkit.planning import editions as ed


def test_rtm_supports_two_node_clusters_on_advanced_server():
    for n in (1, 2):
        s = ed.check_exchange_cluster(n, "Advanced Server", "RTM")
        assert s.supported and s.source.startswith("paper")


def test_rtm_refuses_four_nodes_with_the_papers_source():
    with pytest.raises(lk.LimitError) as e:
        ed.check_exchange_cluster(4, "Datacenter", "RTM")
    assert "NOTE after Table 8" in e.value.source and "Datacenter" in str(e.value)


def test_rtm_refuses_datacenter_even_with_two_nodes():
    with pytest.raises(lk.ConfigurationError):
        ed.check_exchange_cluster(2, "Datacenter", "RTM")


def test_four_nodes_need_datacenter_and_a_later_service_pack():
    assert ed.check_exchange_cluster(4, "Datacenter", ed.FOUR_NODE_RELEASE).supported
    assert ed.check_exchange_cluster(3, "datacenter server", "SP3").supported
    with pytest.raises(lk.LimitError):
        ed.check_exchange_cluster(4, "Advanced Server", "SP3")      # the edition's 2-node limit


def test_edition_node_limits():
    with pytest.raises(lk.LimitError) as e:
        ed.check_exchange_cluster(5, "Datacenter", "SP3")
    assert e.value.rule == "edition node limit"


def test_modern_edition_is_a_what_if_only():
    with pytest.raises(lk.ConfigurationError):
        ed.check_exchange_cluster(16, "Modern", "SP3")
    s = ed.check_exchange_cluster(16, "Modern", "SP3", what_if=True)
    assert not s.supported and "what-if" in s.note


def test_check_cluster_reads_a_real_cluster():
    c = lk.Cluster("FOUR-STOOGES", ip="132.192.1.100", edition="Datacenter")
    for i, n in enumerate(["1-CURLY", "2-MOE", "3-LARRY", "4-JERRY"], start=1):
        c.add_node(n, ip=f"132.192.1.{10 * i}")
    before = c.to_dict()
    with pytest.raises(lk.LimitError):
        ed.check_cluster(c)
    assert ed.check_cluster(c, exchange="SP1").nodes == 4
    assert c.to_dict() == before


def test_support_matrix():
    rows = ed.support_matrix()
    ok = {(r["edition"], r["exchange"], r["nodes"]) for r in rows if r["supported"]}
    assert ("Advanced Server", "RTM", 2) in ok and ("Datacenter", "RTM", 2) not in ok
    assert ("Datacenter", "SP1", 4) in ok and ("Advanced Server", "SP1", 3) not in ok


def test_bad_arguments():
    with pytest.raises(lk.ValidationError):
        ed.check_exchange_cluster(2, "Professional")
    with pytest.raises(lk.ValidationError):
        ed.check_exchange_cluster(2, "Advanced Server", "SP9")
    with pytest.raises(lk.ValidationError):
        ed.check_exchange_cluster(0, "Advanced Server")
    with pytest.raises(lk.ValidationError):
        ed.check_cluster("FOUR-STOOGES")
