"""What every HTTP body and query schema of the three services refuses, without infrastructure."""

import copy
from datetime import UTC, datetime, timedelta

import pytest
from marshmallow import Schema, ValidationError, fields

from services.notifications.resources import notification_schemas
from services.registration import events
from services.registration.resources import agency_schemas, enrollment_schemas
from services.registration.resources import participant_schemas as registration_schemas
from services.registration.resources import series_schemas as cohort_schemas
from services.sessions.resources import (
    facilitator_schemas,
    indicator_schemas,
    participation_schemas,
    programme_schemas,
    schema_fields,
    series_schemas,
    session_schemas,
)

R, E, S, P, N = (registration_schemas, enrollment_schemas, session_schemas,
                 participation_schemas, notification_schemas)
A, C = agency_schemas, cohort_schemas
CONSENT = {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}
PROFILE = {"given_name": "Ayesha", "family_name": "Khan", "gender": "female",
           "agency": "Punjab Police", "email": "a@example.org", "consent": CONSENT}
SESSION = {"kind": "coaching_session", "title": "Coaching 1", "timezone": "Asia/Karachi",
           "starts_at": "2021-03-25T09:00:00+05:00", "ends_at": "2021-03-26T17:00:00+05:00",
           "capacity": 24}
# One valid body per schema a client sends; every string field in it is then spoiled in turn.
BODIES = [
    (R.ParticipantIn, {**PROFILE, "unit": "AHTC", "rank": "SI", "phone": "+923001234567",
                       "service_number": "FIA-1", "duty_station": {
                           "city": "Lahore", "province": "Punjab", "country": "Pakistan"}}),
    (R.ParticipantPatch, {"given_name": "Ayesha", "consent": CONSENT}),
    (A.AgencyIn, {"name": "Sindh Police"}),
    (E.EnrollmentIn, {"participant_id": "p1", "session_id": "s1"}),
    (C.CohortMemberIn, {"participant_id": "p1"}),
    (C.CohortFromSessionIn, {"session_id": "s1", "include": "attendees"}),
    (programme_schemas.ProgrammeIn, {"name": "GLO.ACT", "description": "Asia", "donors": ["EU"],
                                     "countries": ["Pakistan"]}),
    (series_schemas.SeriesIn, {
        "programme_id": "g1", "title": "Coaching", "planned_sessions": 3,
        "origin_session_id": "w1",
        "eligibility": {"genders": ["female"], "agencies": ["Punjab Police"]}}),
    (S.SessionIn, {**SESSION, "topics": ["TIP"], "venue": "Serena", "city": "Islamabad",
                   "country": "Pakistan", "languages": ["en"], "programme_id": "g1",
                   "series_id": "c1"}),
    (S.RescheduleIn, {"starts_at": SESSION["starts_at"], "ends_at": SESSION["ends_at"],
                      "timezone": "Asia/Karachi", "venue": "Serena", "city": "Islamabad",
                      "country": "Pakistan"}),
    (S.CancelIn, {"reason": "Eid holidays"}),
    (facilitator_schemas.FacilitatorIn, {
        "given_name": "Rukhsana", "family_name": "Zehri", "organisation": "UNODC",
        "expertise": ["TIP"], "email": "r@example.org", "phone": "+923001234567"}),
    (S.AssignmentIn, {"role": "trainer"}),
    (P.MarkIn, {"status": "present"}),
    (P.DayIn, {"marks": [{"participant_id": "p1", "status": "present"}]}),
    (P.FeedbackIn, {"rating": 5, "comments": "Useful"}),
]


def _string_paths(schema: Schema, body, prefix=()):
    """Paths to every string the body holds where the schema expects text."""
    for name, field in schema.fields.items():
        if field.dump_only or name not in body or body[name] is None:
            continue
        value, path = body[name], (*prefix, field.data_key or name)
        inner = field.inner if isinstance(field, fields.List) else None
        if isinstance(field, fields.Nested):
            yield from _string_paths(field.schema, value, path)
        elif isinstance(inner, fields.Nested):
            yield from _string_paths(inner.schema, value[0], (*path, 0))
        elif isinstance(inner or field, fields.String) and not isinstance(
                inner or field, fields.DateTime | fields.Date):
            yield (*path, 0) if inner else path


def _spoiled(body: dict, path: tuple, text: str) -> dict:
    spoiled = copy.deepcopy(body)
    holder = spoiled
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = text
    return spoiled


def _refusal(schema: Schema, body: dict, path: tuple):
    with pytest.raises(ValidationError) as refused:
        schema.load(body)
    found = refused.value.messages
    for key in path:
        assert key in found, (path, refused.value.messages)
        found = found[key]
    return found


def _cases(text: str):
    for cls, body in BODIES:
        for path in _string_paths(cls(), body):
            named = ".".join(map(str, path))
            yield pytest.param(cls, body, path, text, id=f"{cls.__name__}.{named}")


def test_every_sample_body_is_valid():
    for cls, body in BODIES:
        assert cls().validate(body) == {}, cls.__name__


@pytest.mark.parametrize(("cls", "body", "path", "text"), [*_cases("\ud800"), *_cases("a\x00b")])
def test_a_lone_surrogate_or_nul_in_any_string_field_is_refused_naming_it(cls, body, path, text):
    _refusal(cls(), _spoiled(body, path, text), path)


@pytest.mark.parametrize("character", ["\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9f"])
def test_single_line_text_takes_no_control_character(character):
    messages = _refusal(S.SessionIn(), {**SESSION, "title": f"Coaching{character}1"},
                        ("title",))
    assert "control character" in " ".join(messages)


def test_multi_line_text_keeps_tabs_and_line_breaks_but_no_other_control():
    comments = "Useful.\r\nThe second day:\n\tcase studies"
    assert P.FeedbackIn().load({"rating": 4, "comments": comments})["comments"] == comments
    for character in ("\x00", "\x0b", "\x7f", "\x9b", "\udc00"):
        _refusal(P.FeedbackIn(), {"rating": 4, "comments": f"Useful{character}"}, ("comments",))


@pytest.mark.parametrize(("cls", "query", "field"), [
    (R.ParticipantQuery, {"agency": "Punjab\x00Police"}, "agency"),
    (E.EnrollmentQuery, {"participant_id": "p\ud8001"}, "participant_id"),
    (S.SessionQuery, {"programme_id": "g\x1b1"}, "programme_id"),
    (N.NotificationQuery, {"kind": "session_reminder\n"}, "kind"),
])
def test_query_strings_are_held_to_the_same_text_rules(cls, query, field):
    _refusal(cls(), query, (field,))


def test_a_query_integer_arrives_as_text_but_a_body_integer_must_be_a_json_integer():
    assert indicator_schemas.IndicatorQuery().load({"min_cell": "3"})["min_cell"] == 3
    _refusal(P.FeedbackIn(), {"rating": "3"}, ("rating",))


@pytest.mark.parametrize("number", [10.7, 10.0, "15", True, "1e1"])
@pytest.mark.parametrize(("cls", "body", "field"), [
    (S.SessionIn, SESSION, "capacity"), (S.CapacityIn, {}, "capacity"),
    (series_schemas.SeriesIn, {"programme_id": "g1", "title": "C"}, "planned_sessions"),
    (P.FeedbackIn, {}, "rating")])
def test_integers_in_a_body_are_strict(cls, body, field, number):
    _refusal(cls(), {**body, field: number}, (field,))


@pytest.mark.parametrize("cls", [R.ParticipantIn, facilitator_schemas.FacilitatorIn])
@pytest.mark.parametrize("phone", ["+923001234567\n", "+923001234567 ", "+9230012345678901"])
def test_a_phone_must_be_exactly_e164(cls, phone):
    body = dict(BODIES)[cls]
    _refusal(cls(), {**body, "phone": phone}, ("phone",))


@pytest.mark.parametrize(("cls", "field"), [
    (R.ParticipantIn, "given_name"), (R.ParticipantIn, "family_name"), (A.AgencyIn, "name"),
    (S.SessionIn, "title"), (series_schemas.SeriesIn, "title"),
    (programme_schemas.ProgrammeIn, "name"),
    (facilitator_schemas.FacilitatorIn, "organisation"), (S.CancelIn, "reason")])
@pytest.mark.parametrize("blank", [" ", "\u00a0\u2003", "\u3000"])
def test_names_and_titles_must_not_be_blank(cls, field, blank):
    body = dict(BODIES)[cls]
    assert "must not be blank" in _refusal(cls(), {**body, field: blank}, (field,))


@pytest.mark.parametrize(("given_at", "accepted"), [
    ("1999-12-31T23:59:59Z", False), ("2000-01-01T00:00:00Z", True),
    ((datetime.now(UTC) + timedelta(minutes=1)).isoformat(), True),
    ((datetime.now(UTC) + timedelta(hours=1)).isoformat(), False),
    ("2150-01-01T00:00:00Z", False)])
def test_consent_is_given_between_2000_and_now(given_at, accepted):
    body = {**PROFILE, "consent": {"policy_version": "2021-01", "given_at": given_at}}
    if accepted:
        assert R.ParticipantIn().validate(body) == {}
    else:
        _refusal(R.ParticipantIn(), body, ("consent", "given_at"))


@pytest.mark.parametrize(("starts_at", "accepted"), [
    ("1901-03-25T09:00:00+05:00", False), ("1999-12-31T23:59:59Z", False),
    ("2000-01-01T00:00:00Z", True), ("2099-12-31T23:59:59Z", True),
    ("2100-01-01T00:00:00Z", False), ("9999-12-31T23:59:59-12:00", False)])
def test_sessions_take_place_from_2000_to_2099(starts_at, accepted):
    body = {**SESSION, "starts_at": starts_at, "ends_at": starts_at}
    errors = S.SessionIn().validate(body)
    assert ("starts_at" not in errors) is accepted
    assert ("starts_at" not in S.RescheduleIn().validate(
        {"starts_at": starts_at, "ends_at": starts_at})) is accepted


@pytest.mark.parametrize(("period", "field"), [
    ({"starts_on": "0001-01-01", "ends_on": "2020-01-01"}, "starts_on"),
    ({"starts_on": "2018-01-01", "ends_on": "9999-12-31"}, "ends_on"),
    ({"starts_on": "1999-12-31", "ends_on": "2020-01-01"}, "starts_on")])
def test_a_programme_runs_within_2000_to_2099(period, field):
    _refusal(programme_schemas.ProgrammeIn(), {"name": "GLO.ACT", "period": period},
             ("period", field))


def test_eligibility_takes_only_the_genders_registration_records():
    assert schema_fields.GENDERS == events.GENDERS
    _refusal(series_schemas.SeriesIn(), {**dict(BODIES)[series_schemas.SeriesIn],
                                         "eligibility": {"genders": ["femal"]}},
             ("eligibility", "genders"))


@pytest.mark.parametrize(("change", "path"), [
    ({"consent": {"given_at": "2021-04-01T09:00:00Z"}}, ("consent", "policy_version")),
    ({"duty_station": {"city": "Multan"}}, ("duty_station", "country"))])
def test_a_patch_replaces_a_nested_object_whole(change, path):
    _refusal(R.ParticipantPatch(), change, path)
    assert R.ParticipantPatch().load({"rank": "Inspector"}) == {"rank": "Inspector"}


def test_the_merged_profile_is_judged_whole():
    stored = {**R.ParticipantIn().load(PROFILE), "_id": "p1", "email_key": "a@example.org",
              "registered_at": datetime(2021, 3, 1, tzinfo=UTC)}
    assert R.whole_profile_errors(stored) == {}
    broken = {**stored, "consent": {"given_at": datetime(2021, 3, 1, tzinfo=UTC)}}
    assert "policy_version" in R.whole_profile_errors(broken)["consent"]
