"""Exchange 2000 component support in a cluster (paper, Table 5; KB 259197)."""
import pytest

import labkit as lk
from labkit import exchange as ex
from _exchange_support import refused


def test_table5_lists_every_component_with_its_cluster_mode():
    assert len(ex.TABLE5) == 21
    assert {c.mode for c in ex.TABLE5} == {"Active/Active", "Active/Passive"}
    supported = [c.name for c in ex.TABLE5 if c.supported]
    assert supported == ["System Attendant", "Information Store", "MTA", "POP3 Protocol", "IMAP Protocol",
                         "SMTP Protocol", "HTTP DAV Protocol", "NNTP Protocol", "MS Search Server"]
    assert ex.COMPONENTS["MTA"].mode == "Active/Passive" and ex.COMPONENTS["MTA"].scope == "cluster"
    assert all(not c.supported and c.mode == "Active/Passive" for c in ex.TABLE5[9:])


def test_every_supported_component_with_a_resource_maps_to_table7():
    roles = {row.role for row in ex.TABLE7}
    assert all(c.role in roles for c in ex.TABLE5 if c.role)


def test_nntp_contradiction_with_kb_259197_is_in_the_data():
    nntp = ex.COMPONENTS["NNTP Protocol"]
    assert nntp.supported and nntp.mode == "Active/Active"     # the paper
    assert "KB 259197" in nntp.kb_note                          # Microsoft, later
    assert [c.name for c in ex.TABLE5 if c.kb_note] == ["NNTP Protocol"]


@pytest.mark.parametrize("name", [c.name for c in ex.TABLE5 if not c.supported])
def test_unsupported_components_are_refused_at_rtm(name):
    with pytest.raises(lk.ConfigurationError) as e:
        ex.check_component(name)
    assert "Table 5" in e.value.source


def test_check_component_unknown_name():
    with pytest.raises(lk.NotFoundError):
        ex.check_component("Exchange Instant Messaging")


def test_add_component_refuses_unsupported_components_and_changes_nothing():
    c = ex.demo_cluster()
    refused(c, lk.ConfigurationError, ex.add_component, c, "EXVS1", "Lotus Notes Connector")
    refused(c, lk.NotFoundError, ex.add_component, c, "EXVS1", "Nope")


def test_nntp_follows_the_paper_unless_the_kb_259197_setting_is_on():
    c = ex.demo_cluster()
    ex.add_component(c, "EXVS1", "NNTP Protocol")
    assert ex.virtual_server(c, "EXVS1").components == ["NNTP Protocol"]
    assert "KB 259197" in c.log[-1].why
    refused(c, lk.NameConflictError, ex.add_component, c, "EXVS1", "NNTP Protocol")
    c2 = ex.demo_cluster()
    ex.configure(c2, nntp_follows_kb_259197=True)
    e = refused(c2, lk.ConfigurationError, ex.add_component, c2, "EXVS1", "NNTP Protocol")
    assert "KB 259197" in e.source


def test_components_every_virtual_server_has_are_not_added_twice():
    c = ex.demo_cluster()
    refused(c, lk.StateError, ex.add_component, c, "EXVS1", "POP3 Protocol")
    refused(c, lk.StateError, ex.add_component, c, "EXVS1", "MTA")


def test_the_mta_is_only_in_the_virtual_server_that_holds_it():
    c = ex.demo_cluster()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:"])
    e = refused(c, lk.ConfigurationError, ex.add_component, c, "EXVS2", "MTA")
    assert "one MTA" in e.rule


def test_add_component_needs_exchange_full_administrator_rights():
    c = ex.demo_cluster()
    c.add_account("LAB\\operator")
    with c.acting_as("LAB\\operator"):
        refused(c, lk.AccessDeniedError, ex.add_component, c, "EXVS1", "NNTP Protocol")
