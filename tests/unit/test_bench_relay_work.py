from bench import relay_work


def test_each_phase_gets_the_relays_work_while_it_ran(monkeypatch):
    seen = iter([{"registration": {"records": 0, "emptied": 0, "owed": 3}},
                 {"registration": {"records": 2, "emptied": 40, "owed": 5}},
                 {"registration": {"records": 7, "emptied": 90, "owed": 0}}])
    monkeypatch.setattr(relay_work, "snapshot", lambda uri, name: next(seen))
    watch = relay_work.Watch("mongodb://unused", "bench")
    watch.phase("seeding")
    watch.phase("small: enroll")
    watch.phase(None)
    assert watch.phases == {
        "seeding": {"registration": {"records": 2, "emptied": 40, "owed_at_end": 5}},
        "small: enroll": {"registration": {"records": 5, "emptied": 50, "owed_at_end": 0}}}
