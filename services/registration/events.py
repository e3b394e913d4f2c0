"""Events registration publishes on `registration.events`, each with its payload schema."""

from marshmallow import RAISE, Schema, fields, validate

PARTICIPANT_REGISTERED = "registration.participant.registered"
PARTICIPANT_UPDATED = "registration.participant.updated"
PARTICIPANT_ERASED = "registration.participant.erased"
ENROLLMENT_CONFIRMED = "registration.enrollment.confirmed"
ENROLLMENT_WAITLISTED = "registration.enrollment.waitlisted"
ENROLLMENT_PROMOTED = "registration.enrollment.promoted"
ENROLLMENT_REJECTED = "registration.enrollment.rejected"
ENROLLMENT_WITHDRAWN = "registration.enrollment.withdrawn"
ENROLLMENT_CANCELLED = "registration.enrollment.cancelled"

GENDERS = ("female", "male", "other", "not_stated")


class Strict(Schema):
    class Meta:
        unknown = RAISE


class _Profile(Strict):
    participant_id = fields.String(required=True)
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    agency = fields.String(required=True)
    preferred_language = fields.String(required=True)
    initials = fields.String(metadata={
        "description": "e.g. `A. K.`: all that public certificate verification shows of her"})


class ParticipantRegistered(_Profile):
    """A new officer profile: no name and no contact details (notifications asks for them over
    HTTP; see `common/contacts.py`), so erasure leaves nothing of her in the event log."""

    acknowledge = fields.Boolean(metadata={
        "description": "false when the coordinator registered her for the record (an import "
                       "with `acknowledge: false`): no acknowledgement is sent. Present only "
                       "then; absent means true, as in every event published before it"})


class ParticipantUpdated(_Profile):
    """A changed officer profile: the same shape as registered, without `acknowledge`."""


class ParticipantErased(Strict):
    """Every service scrubs its copy of this participant's personal data."""

    participant_id = fields.String(required=True)


class _Enrollment(Strict):
    enrollment_id = fields.String(required=True)
    participant_id = fields.String(required=True)
    session_id = fields.String(required=True)
    series_id = fields.String(required=True, allow_none=True)
    sequence = fields.Integer(metadata={
        "description": "the decision's place in the session's seat log: of two events of one "
                       "enrollment, the larger sequence is the later decision"})


class EnrollmentConfirmed(_Enrollment):
    """A seat is hers; gender and agency feed the sessions roster's indicators."""

    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    agency = fields.String(required=True)


class EnrollmentPromoted(EnrollmentConfirmed):
    """A waitlisted participant got a seat; consumers treat it like confirmed."""


class EnrollmentWaitlisted(_Enrollment):
    position = fields.Integer(required=True, validate=validate.Range(min=1))


class EnrollmentRejected(_Enrollment):
    reason = fields.String(required=True)


class EnrollmentWithdrawn(_Enrollment):
    previous_status = fields.String(required=True,
                                    validate=validate.OneOf(("confirmed", "waitlisted")))


class EnrollmentCancelled(_Enrollment):
    reason = fields.String(required=True)


ENROLLMENT_SCHEMAS = {
    ENROLLMENT_CONFIRMED: EnrollmentConfirmed(),
    ENROLLMENT_PROMOTED: EnrollmentPromoted(),
    ENROLLMENT_WAITLISTED: EnrollmentWaitlisted(),
    ENROLLMENT_REJECTED: EnrollmentRejected(),
    ENROLLMENT_WITHDRAWN: EnrollmentWithdrawn(),
    ENROLLMENT_CANCELLED: EnrollmentCancelled(),
}


def enrollment_data(event_type: str, entry: dict, session_id: str, series_id: str | None,
                    **extra) -> dict:
    """The payload of an enrollment event, dumped through its schema (least data)."""
    schema = ENROLLMENT_SCHEMAS[event_type]
    values = {"enrollment_id": entry["enrollment_id"], "participant_id": entry["participant_id"],
              "session_id": session_id, "series_id": series_id,
              "gender": entry.get("gender"), "agency": entry.get("agency"), **extra}
    return schema.dump({k: v for k, v in values.items() if k in schema.fields})


PUBLISHED = {
    PARTICIPANT_REGISTERED: ParticipantRegistered,
    PARTICIPANT_UPDATED: ParticipantUpdated,
    PARTICIPANT_ERASED: ParticipantErased,
    ENROLLMENT_CONFIRMED: EnrollmentConfirmed,
    ENROLLMENT_WAITLISTED: EnrollmentWaitlisted,
    ENROLLMENT_PROMOTED: EnrollmentPromoted,
    ENROLLMENT_REJECTED: EnrollmentRejected,
    ENROLLMENT_WITHDRAWN: EnrollmentWithdrawn,
    ENROLLMENT_CANCELLED: EnrollmentCancelled,
}
