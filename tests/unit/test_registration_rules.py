"""Enrollment rules without infrastructure: the fold of a seat log and each decision."""

import pytest

from services.registration.domain import seat_rules as rules


def _entry(pid, status="requested"):
    return {"enrollment_id": f"e-{pid}", "participant_id": pid, "gender": "female",
            "agency": "Punjab Police", "status": status}


def _log(capacity, *changes, **opened):
    log = [{"seq": 0, "kind": "opened", "session_id": "s1", "series_id": None,
            "capacity": capacity, "status": "scheduled", "changes": [], **opened}]
    for seq, change in enumerate(changes, start=1):
        log.append({"seq": seq, "kind": "x", "session_id": "s1", **change})
    return log


def _enrolled(state, *pids):
    """Apply enrollment decisions one after the other, as the seat log would."""
    log = _log(state.capacity)
    for pid in pids:
        entry, _, _ = rules.enroll(rules.fold(log), _entry(pid), None)
        log.append({"seq": len(log), "kind": "enrolled", "changes": [entry]})
    return rules.fold(log), log


def test_seats_go_first_then_the_waiting_list_in_arrival_order():
    state, _ = _enrolled(rules.fold(_log(2)), "a", "b", "c", "d")
    assert state.holders == ["a", "b"]
    assert state.waiting == ["c", "d"]
    assert (state.seats_left, state.position("d"), state.position("a")) == (0, 2, None)


def test_waitlisted_decision_names_her_place():
    state, _ = _enrolled(rules.fold(_log(1)), "a", "b")
    entry, event_type, extra = rules.enroll(state, _entry("c"), None)
    assert (entry["status"], event_type, extra) == ("waitlisted", rules.WAITLISTED,
                                                    {"position": 2})


def test_withdrawal_of_a_holder_promotes_the_first_waitlisted():
    state, _ = _enrolled(rules.fold(_log(1)), "a", "b", "c")
    changes = rules.withdraw(state, "a")
    assert [(e["participant_id"], e["status"], t) for e, t, _ in changes] == [
        ("a", "withdrawn", rules.WITHDRAWN), ("b", "confirmed", rules.PROMOTED)]
    assert changes[0][0]["previous_status"] == "confirmed"


def test_withdrawal_from_the_waiting_list_promotes_nobody():
    state, _ = _enrolled(rules.fold(_log(1)), "a", "b", "c")
    changes = rules.withdraw(state, "c")
    assert [(e["participant_id"], e["previous_status"]) for e, _, _ in changes] == [
        ("c", "waitlisted")]


@pytest.mark.parametrize("status", ["withdrawn", "rejected", "cancelled"])
def test_only_active_enrollments_can_be_withdrawn(status):
    state = rules.fold(_log(1, {"changes": [_entry("a", status)]}))
    with pytest.raises(rules.IllegalTransitionError, match=status):
        rules.withdraw(state, "a")


def test_capacity_increase_promotes_in_order_and_decrease_evicts_nobody():
    state, _ = _enrolled(rules.fold(_log(1)), "a", "b", "c", "d")
    assert [e["participant_id"] for e, _, _ in rules.change_capacity(state, 3)] == ["b", "c"]
    assert rules.change_capacity(state, 0) == []


def test_fold_applies_capacity_changes_and_keeps_promoted_after_holders():
    state, log = _enrolled(rules.fold(_log(1)), "a", "b")
    promoted = rules.change_capacity(state, 2)
    log.append({"seq": len(log), "kind": "capacity_changed", "capacity": 2,
                "changes": [e for e, _, _ in promoted]})
    after = rules.fold(log)
    assert (after.holders, after.waiting, after.capacity, after.revision) == (
        ["a", "b"], [], 2, 3)


def test_cancellation_cancels_every_active_enrollment_with_the_reason():
    state, _ = _enrolled(rules.fold(_log(1)), "a", "b")
    changes = rules.cancel(state, "flooding")
    assert [(e["participant_id"], e["status"], x) for e, _, x in changes] == [
        ("a", "cancelled", {"reason": "flooding"}), ("b", "cancelled", {"reason": "flooding"})]


def test_a_session_never_opened_has_no_seats():
    assert rules.fold([]) is None
    assert rules.fold([{"seq": 1, "kind": "enrolled", "changes": []}]) is None


@pytest.mark.parametrize("eligibility, gender, agency, refused", [
    (None, "male", "Punjab Police", None),
    ({"genders": None, "agencies": None}, "male", "Punjab Police", None),
    ({"genders": ["female"]}, "male", "Punjab Police", "female"),
    ({"genders": ["female"]}, "female", "Punjab Police", None),
    ({"agencies": ["Federal Investigation Agency"]}, "female", "Punjab Police",
     "Federal Investigation Agency"),
    ({"agencies": ["punjab police"]}, "female", "Punjab Police", None),
])
def test_eligibility_rule_of_the_series(eligibility, gender, agency, refused):
    reason = rules.ineligibility(eligibility, gender, agency)
    if refused is None:
        assert reason is None
    else:
        assert refused in reason


def test_rejected_request_takes_no_seat():
    state = rules.fold(_log(1))
    entry, event_type, extra = rules.enroll(state, _entry("a"), "the series is open only to X")
    assert (entry["status"], event_type) == ("rejected", rules.REJECTED)
    log = _log(1, {"changes": [entry]})
    assert rules.fold(log).seats_left == 1
