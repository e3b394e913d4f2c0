"""HTTP bodies of certificates: the public verification answer and the coordinator's decisions."""

from marshmallow import Schema, fields, validate

from common.schemas import Out, Query, Strict

ID = validate.Length(min=1, max=64)


class VerificationQuery(Query):
    format = fields.String(load_default=None, validate=validate.OneOf(("json", "html")))


class VerificationOut(Schema):
    """No personal data beyond the initials (none once the holder was erased)."""

    code = fields.String()
    status = fields.String(metadata={"description": "valid, revoked or unknown"})
    title = fields.String()
    kind = fields.String(metadata={"description": "series or session"})
    starts_on = fields.String(metadata={"format": "date"})
    ends_on = fields.String(metadata={"format": "date"})
    programme = fields.String(allow_none=True)
    holder_initials = fields.String(allow_none=True)
    issued_on = fields.String(allow_none=True, metadata={"format": "date"})
    revoked_on = fields.String(allow_none=True, metadata={"format": "date"})


class IssueIn(Strict):
    session_id = fields.String(required=True, validate=ID, metadata={
        "description": "any session of the series (or the workshop held alone)"})
    participant_id = fields.String(required=True, validate=ID)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class RevokeIn(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class CertificateQuery(Query):
    course_id = fields.String(required=True, validate=ID,
                              metadata={"description": "a series id, or a workshop's session id"})


class Evidence(Schema):
    days_attended = fields.Integer()
    days_held = fields.Integer()
    missed_first_days = fields.List(fields.String())


class CertificateOut(Out):
    code = fields.String()
    participant_id = fields.String(allow_none=True)
    status = fields.String()
    decided_by = fields.String()
    reason = fields.String(allow_none=True)
    evidence = fields.Nested(Evidence)
    session_ids = fields.List(fields.String())
    decided_at = fields.AwareDateTime()


class RuleIn(Strict):
    min_attendance_share = fields.Float(load_default=0.8, validate=validate.Range(
        min=0, min_inclusive=False, max=1), metadata={"description": "of the days held"})
    require_first_days = fields.Boolean(load_default=True, metadata={
        "description": "present (or late) on the first day of every session"})


class RuleOut(RuleIn):
    pass
