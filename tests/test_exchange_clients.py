"""Clients of virtual servers and the interruption a failover costs them (paper,
Clustering Support in Exchange 2000: clients see an interruption only while the
virtual server is pending)."""
import pytest

import labkit as lk
from labkit import exchange as ex
from _exchange_support import refused


def _with_clients():
    c = ex.demo_cluster()
    ex.add_mailboxes(c, "EXVS1", "Mailbox Store (EXVS1)", 1000)
    ex.set_clients(c, "EXVS1", pop3=200, imap4=50, http=300)
    return c


def test_mapi_users_default_to_the_mailboxes():
    c = _with_clients()
    r = ex.impact(c, "EXVS1", since=c.now)
    assert [p.users for p in r.protocols] == [1000, 200, 50, 300]
    ex.set_clients(c, "EXVS1", mapi=800)
    assert ex.impact(c, "EXVS1", since=c.now).protocol("MAPI").users == 800


def test_no_interruption_while_nothing_happens():
    c = _with_clients()
    t0 = c.now
    c.run(minutes=10)
    r = ex.impact(c, "EXVS1", since=t0)
    assert r.users_affected == 0 and r.seconds == 0 and r.group_outage_seconds == 0


def test_a_move_interrupts_every_user_only_while_resources_are_not_online():
    c = _with_clients()
    t0 = c.now
    c.move_group("EXVS1", "2-MOE")
    c.run_until_stable()
    r = ex.impact(c, "EXVS1", since=t0)
    assert r.users_affected == 1550
    mapi = r.protocol("MAPI")
    # MAPI is back when the Information Store is Online again on 2-MOE
    back = [e.time for e in c.log.about("Exchange Information Store Instance - (EXVS1)")
            if e.what == "Online Pending -> Online"][-1]
    gone = [e.time for e in c.log.about("Exchange Information Store Instance - (EXVS1)")
            if e.what == "Online -> Offline Pending"][-1]
    assert mapi.interruptions == ((gone, back),)
    assert mapi.seconds == (back - gone).total_seconds()
    # POP3 went offline before the store and came back after it
    assert r.protocol("POP3").seconds > mapi.seconds
    assert r.group_outage_seconds >= r.seconds


def test_a_resource_restart_only_hurts_users_of_that_protocol():
    c = _with_clients()
    t0 = c.now
    c.fail_resource(ex.virtual_server(c, "EXVS1").resources["POP3"])
    c.run_until_stable()
    r = ex.impact(c, "EXVS1", since=t0)
    assert r.protocol("POP3").seconds > 0 and r.users_affected == 200
    assert r.protocol("MAPI").seconds == 0
    assert r.group_outage_seconds > 0          # the cluster saw the group leave Online


def test_a_node_crash_counts_from_the_power_loss():
    c = _with_clients()
    t0 = c.now
    c.crash_node("1-CURLY")
    c.run_until_stable()
    mapi = ex.impact(c, "EXVS1", since=t0).protocol("MAPI")
    assert mapi.interruptions[0][0] == t0 and mapi.interruptions[0][1] is not None
    assert mapi.seconds > c.settings.detection_ms / 1000


def test_a_failed_virtual_server_is_still_down_at_the_end_of_the_window():
    c = _with_clients()
    t0 = c.now
    c.offline_group("EXVS1")
    c.run_until_stable()
    c.run(minutes=5)
    r = ex.impact(c, "EXVS1", since=t0)
    assert r.protocol("MAPI").interruptions[-1][1] is None
    assert r.protocol("MAPI").seconds == pytest.approx((c.now - r.protocol("MAPI").interruptions[0][0])
                                                       .total_seconds())
    assert "users affected" in str(r)
    assert ex.outages(c, "EXVS1", "MAPI", since=t0)[-1][1] == c.now


def test_impact_over_a_past_window():
    c = _with_clients()
    t0 = c.now
    c.move_group("EXVS1", "2-MOE")
    c.run_until_stable()
    t1 = c.now
    c.run(minutes=30)
    assert ex.impact(c, "EXVS1", since=t0, until=t1).seconds == ex.impact(c, "EXVS1", since=t0).seconds
    assert ex.impact(c, "EXVS1", since=t1).seconds == 0


def test_client_refusals_change_nothing():
    c = _with_clients()
    refused(c, lk.ValidationError, ex.set_clients, c, "EXVS1", pop3=-1)
    refused(c, lk.ValidationError, ex.set_clients, c, "EXVS1", pop3=True)
    refused(c, lk.NotFoundError, ex.set_clients, c, "EXVS9", pop3=1)
    with pytest.raises(lk.ValidationError):
        ex.impact(c, "EXVS1", since="09:00")
    with pytest.raises(lk.ValidationError):
        ex.outages(c, "EXVS1", "NNTP")
    with pytest.raises(lk.NotFoundError):
        ex.impact(c, "EXVS1").protocol("NNTP")
    with pytest.raises(lk.ValidationError):
        ex.impact(c, "EXVS1", since=c.now, until=c.clock.at(0))
