"""HTTP bodies of participants (officers' profiles) and of her data export."""

from datetime import UTC, datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from common.schemas import E164, FullMatch, NotInFuture, Out, Query, Strict
from services.registration.domain.consent import CURRENT, POLICY_VERSIONS
from services.registration.events import GENDERS

# Consent is recorded when it was given: not before the platform's records begin, and not in
# the future beyond a client's clock skew (README, "What the APIs accept").
CONSENT_SINCE = datetime(2000, 1, 1, tzinfo=UTC)
LANGUAGES = ("en", "ur")


def text(max_length: int, **kwargs):
    return fields.String(validate=validate.Length(min=1, max=max_length), **kwargs)


class Consent(Strict):
    policy_version = fields.String(
        required=True, validate=validate.OneOf(POLICY_VERSIONS),
        metadata={"description": f"the consent policy she agreed to; the current one is {CURRENT}"})
    given_at = fields.AwareDateTime(required=True, validate=[
        validate.Range(min=CONSENT_SINCE, error="must not be before 2000-01-01"), NotInFuture()],
        metadata={"description": "when she gave consent: from 2000-01-01, not in the future "
                                 "(5 minutes of clock skew allowed)"})


class DutyStation(Strict):
    city = text(100, required=True)
    province = text(100, load_default=None, allow_none=True)
    country = text(100, required=True)


class ParticipantIn(Strict):
    given_name = text(100, required=True)
    family_name = text(100, required=True)
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    agency = text(120, required=True, metadata={
        "description": "the agency's name (not its id), one of GET /agencies"})
    unit = text(160, load_default=None, allow_none=True,
                 metadata={"description": "e.g. an anti-human-trafficking circle"})
    rank = text(100, load_default=None, allow_none=True,
                 metadata={"description": "rank or designation"})
    duty_station = fields.Nested(DutyStation, load_default=None, allow_none=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    phone = fields.String(load_default=None, allow_none=True, validate=FullMatch(
        E164, error="must be E.164, e.g. +923001234567"))
    preferred_language = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))
    service_number = text(40, load_default=None, allow_none=True, load_only=True, metadata={
        "description": "kept only as a keyed hash, to find duplicates; never shown"})
    consent = fields.Nested(Consent, required=True)


EDITABLE = tuple(name for name in ParticipantIn._declared_fields if name != "service_number")


class ParticipantPatch(ParticipantIn):
    """Any subset of the profile; `service_number: null` removes it. A nested object
    (`consent`, `duty_station`) replaces the stored one, so it must be whole."""

    def __init__(self, **kwargs):
        # Partial at the top level only: `partial=True` would reach into nested objects too.
        kwargs.setdefault("partial", tuple(ParticipantIn._declared_fields))
        super().__init__(**kwargs)

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("give at least one field to change", "_schema")


def whole_profile_errors(merged: dict) -> dict:
    """What the full profile schema refuses in a stored profile with a change applied."""
    schema = ParticipantIn(only=EDITABLE)
    return schema.validate(schema.dump(merged))


class ParticipantQuery(Query):
    agency = fields.String(load_default=None)


class ParticipantOut(Out):
    """The full profile, for coordinators."""

    given_name = fields.String()
    family_name = fields.String()
    gender = fields.String()
    agency = fields.String()
    unit = fields.String(allow_none=True)
    rank = fields.String(allow_none=True)
    duty_station = fields.Nested(DutyStation, allow_none=True)
    email = fields.String()
    phone = fields.String(allow_none=True)
    preferred_language = fields.String()
    has_service_number = fields.Boolean()
    consent = fields.Nested(Consent)
    registered_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    erased_at = fields.AwareDateTime()


class PseudonymousParticipantOut(Out):
    """What `viewer` and `service` callers may see: no name, no contact."""

    gender = fields.String()
    agency = fields.String()
    registered_at = fields.AwareDateTime()
    erased_at = fields.AwareDateTime()


class ParticipantExport(Schema):
    """Everything registration holds on one participant."""

    participant = fields.Nested(ParticipantOut)
    # By name (marshmallow's registry): enrollment_schemas.py is this module's neighbour.
    enrollments = fields.List(fields.Nested("EnrollmentRecord"))
    series = fields.List(fields.String())
    attended_sessions = fields.List(fields.String())



IMPORT_ROWS = 500


class ParticipantImportIn(Strict):
    """Officers to register in one request; each row is judged on its own."""

    officers = fields.List(
        fields.Raw(metadata={"description": "one officer, as the body of POST /participants"}),
        required=True, validate=validate.Length(min=1, max=IMPORT_ROWS),
        metadata={"description": f"1 to {IMPORT_ROWS} officers"})
    acknowledge = fields.Boolean(load_default=True, metadata={
        "description": "false registers them for the record (last year's paper lists: they "
                       "already know): notifications sends them no acknowledgement, and "
                       "everything later (confirmations, reminders) as usual. Default true"})


class ImportedRow(Schema):
    row = fields.Integer(metadata={"description": "the row's index in `officers`, from 0"})
    status = fields.Integer(metadata={"description": "201 registered; 422 refused by a "
                                      "field (`errors` names it); 409 a duplicate"})
    id = fields.String(metadata={"description": "the new officer's id (201)"})
    errors = fields.Dict(metadata={"description": "field -> messages (422), as POST "
                                   "/participants answers"})
    message = fields.String()
    existing_id = fields.String(metadata={"description": "the registered officer with her "
                                          "email or service number (409)"})
    existing_row = fields.Integer(metadata={"description": "the earlier row of this request "
                                            "with her email or service number (409)"})


class ParticipantImportOut(Schema):
    registered = fields.Integer()
    refused = fields.Integer()
    rows = fields.List(fields.Nested(ImportedRow), metadata={"description": "one per row, "
                                                              "in order"})
