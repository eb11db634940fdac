"""Removing Exchange virtual servers (paper, Removing Exchange Virtual Servers and Binaries
from a Cluster)."""
import labkit as lk
from labkit import exchange as ex
from _exchange_support import refused


def _offline(c, g):
    c.offline_group(g)
    c.run_until_stable()


def test_a_virtual_server_must_be_offline_before_its_resources_are_deleted():
    c = ex.demo_cluster()
    e = refused(c, lk.StateError, ex.remove_virtual_server, c, "EXVS1")
    assert "offline" in e.rule and "Removing Exchange" in e.source
    refused(c, lk.StateError, c.delete_resource, ex.virtual_server(c, "EXVS1").system_attendant,
            with_dependents=True)


def test_deleting_the_system_attendant_deletes_its_dependents():
    c = ex.demo_cluster()
    _offline(c, "EXVS1")
    vs = ex.virtual_server(c, "EXVS1")
    names = set(vs.resources.values())
    gone = c.delete_resource(vs.system_attendant, with_dependents=True)
    assert set(gone) == names
    assert not names & set(c.resources)
    assert ex.virtual_servers(c) == [] and c.extensions["exchange"].mta_server is None
    assert {"EXVS1 IP Address", "EXVS1 Network Name", "Disk E:", "Disk L:"} <= set(c.resources)


def test_remove_virtual_server_deletes_the_exchange_resources_and_keeps_the_group():
    c = ex.demo_cluster()
    _offline(c, "EXVS1")
    gone = ex.remove_virtual_server(c, "EXVS1")
    assert len(gone) == 9 and gone[0] == ex.resource_names("EXVS1")["System Attendant"]
    assert "EXVS1" in c.groups and "Disk E:" in c.resources
    assert any(e.what == "Exchange virtual server deleted" for e in c.log.about("EXVS1"))


def test_remove_virtual_server_can_delete_the_whole_group():
    c = ex.demo_cluster()
    _offline(c, "EXVS1")
    gone = ex.remove_virtual_server(c, "EXVS1", delete_group=True)
    assert "EXVS1" not in c.groups and len(gone) == 13
    assert set(c.resources) == {"Disk Q:", "Cluster IP Address", "Cluster Name"}


def test_the_mta_virtual_server_is_deleted_only_when_it_is_the_last():
    c = ex.demo_cluster()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:"])
    _offline(c, "EXVS1")
    e = refused(c, lk.ProcedureError, ex.remove_virtual_server, c, "EXVS1")
    assert "MTA" in e.rule
    refused(c, lk.ProcedureError, c.delete_resource, ex.virtual_server(c, "EXVS1").system_attendant,
            with_dependents=True)
    ex.remove_virtual_server(c, "EXVS2")            # offline already: never brought online
    ex.remove_virtual_server(c, "EXVS1")            # now the last one
    assert ex.virtual_servers(c) == []


def test_a_new_virtual_server_gets_the_mta_once_the_old_holder_is_gone():
    c = ex.demo_cluster()
    _offline(c, "EXVS1")
    ex.remove_virtual_server(c, "EXVS1", delete_group=True)
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:"])
    assert "MTA" in ex.virtual_server(c, "EXVS2").resources
    assert any(d.kind == "public" for d in ex.virtual_server(c, "EXVS2").databases())


def test_deleting_ms_search_marks_the_virtual_server_for_recreation():
    c = ex.demo_cluster()
    _offline(c, "EXVS1")
    vs = ex.virtual_server(c, "EXVS1")
    c.delete_resource(vs.resources["MS Search"])
    assert vs.content_indexing_broken and "MS Search" not in vs.resources
    assert any(e.what == "content indexing broken" for e in c.log.about("EXVS1"))
    c.online_group("EXVS1")
    c.run_until_stable()
    assert str(c.groups["EXVS1"].state) == "Online"   # the rest still works


def test_deleting_the_mta_alone_leaves_the_cluster_without_one():
    c = ex.demo_cluster()
    _offline(c, "EXVS1")
    c.delete_resource(ex.virtual_server(c, "EXVS1").resources["MTA"])
    assert c.extensions["exchange"].mta_server is None
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:"])
    assert "MTA" in ex.virtual_server(c, "EXVS2").resources


def test_removing_needs_exchange_full_administrator_rights():
    c = ex.demo_cluster()
    _offline(c, "EXVS1")
    c.add_account("LAB\\operator")
    with c.acting_as("LAB\\operator"):
        refused(c, lk.AccessDeniedError, ex.remove_virtual_server, c, "EXVS1")


def test_a_shared_group_is_kept_while_it_holds_another_virtual_server():
    c = ex.demo_cluster()
    _offline(c, "EXVS1")
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk E:"], group="EXVS1")
    refused(c, lk.ConfigurationError, ex.remove_virtual_server, c, "EXVS2", delete_group=True)
    ex.remove_virtual_server(c, "EXVS2")
    assert ex.virtual_servers(c) == ["EXVS1"]


def test_remove_unknown_virtual_server():
    c = ex.demo_cluster()
    refused(c, lk.NotFoundError, ex.remove_virtual_server, c, "EXVS9")


# ------------------------------------------------------------------- check_removal
def _same_refusal(c, exc, evs, **kw):
    """check_removal refuses exactly as remove_virtual_server does, and changes nothing."""
    e1 = refused(c, exc, ex.check_removal, c, evs, **kw)
    e2 = refused(c, exc, ex.remove_virtual_server, c, evs, **kw)
    assert (type(e1), str(e1), e1.rule, e1.source) == (type(e2), str(e2), e2.rule, e2.source)
    return e1


def test_check_removal_refuses_an_online_virtual_server_as_removal_does():
    c = ex.demo_cluster()
    e = _same_refusal(c, lk.StateError, "EXVS1")
    assert "offline" in e.rule


def test_check_removal_refuses_the_mta_virtual_server_while_others_remain():
    c = ex.demo_cluster()
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:"])
    _offline(c, "EXVS1")
    assert "MTA" in _same_refusal(c, lk.ProcedureError, "EXVS1").rule


def test_check_removal_refuses_deleting_a_shared_group():
    c = ex.demo_cluster()
    _offline(c, "EXVS1")
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk E:"], group="EXVS1")
    _same_refusal(c, lk.ConfigurationError, "EXVS2", delete_group=True)


def test_check_removal_refuses_deleting_the_cluster_group():
    c = ex.demo_cluster()
    sa = ex.virtual_server(c, "EXVS1").system_attendant
    # a virtual server built by hand in the Cluster Group: that group (and the quorum) must stay
    c.add_resource("CG Name 3", type="Network Name", group="Cluster Group", name="EXVS3",
                   dependencies=["Cluster IP Address"])
    c.add_resource("SA 3", type=c.resources[sa].type, group="Cluster Group", dependencies=["CG Name 3", "Disk Q:"])
    e = refused(c, lk.ConfigurationError, ex.check_removal, c, "EXVS3", delete_group=True, assume_offline=True)
    assert "quorum" in e.rule
    _same_refusal(c, lk.StateError, "EXVS3", delete_group=True)      # and the Cluster Group never goes offline


def test_check_removal_needs_exchange_full_administrator_rights():
    c = ex.demo_cluster()
    _offline(c, "EXVS1")
    c.add_account("LAB\\operator")
    with c.acting_as("LAB\\operator"):
        _same_refusal(c, lk.AccessDeniedError, "EXVS1")


def test_check_removal_passes_where_removal_succeeds_and_changes_nothing():
    c = ex.demo_cluster()
    _offline(c, "EXVS1")
    before = c.to_dict()
    assert ex.check_removal(c, "EXVS1", delete_group=True) is None
    assert c.to_dict() == before
    ex.remove_virtual_server(c, "EXVS1", delete_group=True)


def test_check_removal_can_assume_the_group_will_be_taken_offline_first():
    c = ex.demo_cluster()
    ex.check_removal(c, "EXVS1", assume_offline=True)          # online, but the last one: fine
    ex.create_virtual_server(c, "EXVS2", ip="132.192.1.21", disks=["Disk F:"])
    refused(c, lk.ProcedureError, ex.check_removal, c, "EXVS1", assume_offline=True)
    refused(c, lk.ValidationError, ex.check_removal, c, "EXVS1", assume_offline="yes")
