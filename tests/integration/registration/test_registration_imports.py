"""A coordinator's bulk import of officers, and the participants' pages it fills, on the real DB."""

from concurrent.futures import ThreadPoolExecutor

from common.envelope import Event
from tests.conftest import read_topic
from tests.integration.registration.helpers import auth, profile_of, register


def _import(client, config, officers, **headers):
    return client.post("/participants/imports", json={"officers": officers},
                       headers={**auth(config, "coordinator"), **headers})


def test_an_import_answers_each_row_and_registers_the_valid_ones_with_their_event(
        api, unique, kafka_bootstrap):
    client, runtime, config = api
    stored = register(client, config, f"old{unique}")
    officers = [profile_of(f"a{unique}"), profile_of(f"b{unique}", agency="Punjab Police"),
                profile_of(f"c{unique}", gender="unknown"),          # 422 gender
                profile_of(f"d{unique}", agency="Nowhere Police"),   # 422 agency
                profile_of(f"a{unique}"),                            # 409 row 0
                profile_of(f"old{unique}")]                          # 409 the stored one
    answer = _import(client, config, officers)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    rows = body["rows"]
    assert (body["registered"], body["refused"]) == (2, 4)
    assert [r["row"] for r in rows] == list(range(6))
    assert [r["status"] for r in rows] == [201, 201, 422, 422, 409, 409]
    assert set(rows[2]["errors"]) == {"gender"} and set(rows[3]["errors"]) == {"agency"}
    assert rows[4]["existing_row"] == 0 and rows[5]["existing_id"] == stored["id"]
    new_ids = {rows[0]["id"], rows[1]["id"]}
    records = read_topic(kafka_bootstrap, runtime.topic, until=lambda r: len(r) >= 3)
    registered = {Event.from_bytes(r.value).subject for r in records
                  if Event.from_bytes(r.value).type.endswith("participant.registered")}
    assert new_ids <= registered
    listed = client.get("/participants", headers=auth(config, "coordinator")).get_json()
    assert [p["id"] for p in listed] == [stored["id"], rows[0]["id"], rows[1]["id"]]
    punjab = client.get("/participants", query_string={"agency": "Punjab Police"},
                        headers=auth(config, "coordinator")).get_json()
    assert [p["id"] for p in punjab] == [rows[1]["id"]]


def test_an_import_of_500_fits_one_request_and_501_is_refused(api, unique):
    client, _, config = api
    officers = [profile_of(f"{n}.{unique}", given_name="Sana", family_name=f"Officer {n}",
                           unit="Anti-Human Trafficking Circle, Lahore", rank="Sub-Inspector",
                           duty_station={"city": "Lahore", "province": "Punjab",
                                         "country": "Pakistan"}) for n in range(501)]
    assert _import(client, config, officers).status_code == 422
    answer = _import(client, config, officers[:500])
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.get_json()["registered"] == 500
    page = client.get("/participants", query_string={"page": 25, "page_size": 20},
                      headers=auth(config, "coordinator"))
    assert [p["family_name"] for p in page.get_json()] == [
        f"Officer {n}" for n in range(480, 500)]
    assert '"total": 500' in page.headers["X-Pagination"]


def test_an_import_is_for_coordinators_and_a_repeated_key_registers_nobody_twice(api, unique):
    client, _, config = api
    officers = [profile_of(f"k{unique}")]
    refused = client.post("/participants/imports", json={"officers": officers},
                          headers=auth(config, "viewer"))
    assert refused.status_code == 403
    first = _import(client, config, officers, **{"Idempotency-Key": unique})
    again = _import(client, config, officers, **{"Idempotency-Key": unique})
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    listed = client.get("/participants", headers=auth(config, "coordinator")).get_json()
    assert [p["id"] for p in listed] == [first.get_json()["rows"][0]["id"]]


def test_officers_registered_at_once_are_each_listed_once_and_pages_show_edits(api, unique):
    client, _, config = api
    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(lambda n: register(client, config, f"{n}.{unique}"), range(45)))
    coordinator = auth(config, "coordinator")
    listed = [p["id"] for page in (1, 2, 3) for p in client.get(
        "/participants", query_string={"page": page, "page_size": 20},
        headers=coordinator).get_json()]
    assert sorted(listed) == sorted(m["id"] for m in made)
    # Read again (the first two pages from memory now), after an edit and an erasure.
    ayesha, fatima = listed[3], listed[7]
    assert client.patch(f"/participants/{ayesha}", json={"given_name": "Ayeshah"},
                        headers=coordinator).status_code == 200
    assert client.post(f"/participants/{fatima}/erasure",
                       headers=coordinator).status_code == 200
    shown = {p["id"]: p for p in client.get("/participants", headers=coordinator).get_json()}
    assert shown[ayesha]["given_name"] == "Ayeshah"
    assert "email" not in shown[fatima] and "given_name" not in shown[fatima]


def _registered_events(kafka_bootstrap, runtime, ids: set[str]) -> dict[str, dict]:
    records = read_topic(kafka_bootstrap, runtime.topic, until=lambda r: len(
        {Event.from_bytes(x.value).subject for x in r} & ids) == len(ids))
    return {e.subject: e.data for e in map(Event.from_bytes, (r.value for r in records))
            if e.type.endswith("participant.registered") and e.subject in ids}


def test_an_import_for_the_record_says_so_in_each_event_and_the_default_says_nothing(
        api, unique, kafka_bootstrap):
    """`acknowledge: false` travels in each officer's event (notifications sends her no
    acknowledgement); an import without it announces them as a single registration does."""
    client, runtime, config = api
    quiet = client.post("/participants/imports", headers=auth(config, "coordinator"), json={
        "officers": [profile_of(f"q{unique}")], "acknowledge": False}).get_json()
    usual = _import(client, config, [profile_of(f"u{unique}")]).get_json()
    quiet_id, usual_id = quiet["rows"][0]["id"], usual["rows"][0]["id"]

    data = _registered_events(kafka_bootstrap, runtime, {quiet_id, usual_id})

    assert data[quiet_id]["acknowledge"] is False
    assert "acknowledge" not in data[usual_id]
    assert quiet["registered"] == usual["registered"] == 1
