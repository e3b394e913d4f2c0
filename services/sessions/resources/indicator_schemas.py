"""The indicators' query and JSON answers, declared whole (no names: counts, shares and rates).

A count is null when `?min_cell=k` hides it (0 < count < k); a figure derived from a hidden count
is null with it.
"""

from marshmallow import Schema, fields, validate

from common.schemas import Query

HIDDEN = " Null when hidden by `min_cell`."
DATE_TIME = {"format": "date-time"}


def _count(description: str) -> fields.Integer:
    return fields.Integer(allow_none=True, metadata={"description": description + HIDDEN})


def _ratio(description: str) -> fields.Float:
    return fields.Float(allow_none=True, metadata={
        "description": description + " Null when there is nothing to divide by, or when a count "
                                     "it comes from is hidden by `min_cell`."})


def _counts_by(what: str) -> fields.Dict:
    return fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True), metadata={
        "description": f"head count per {what}; a count is null when hidden by `min_cell`"})


class Breakdown(Schema):
    """A head count by gender and by agency, with the shares donors quote."""

    total = _count("Participants counted.")
    by_gender = _counts_by("gender")
    by_agency = _counts_by("agency")
    percent_women = fields.Float(allow_none=True, metadata={
        "description": "Women in percent of `total` (one decimal). Null when `total` is 0, and "
                       "whenever `min_cell` hides `total` or any count of `by_gender`, so that a "
                       "hidden count cannot be worked out from the share."})
    percent_by_agency = fields.Dict(
        keys=fields.String(), values=fields.Float(allow_none=True), metadata={
            "description": "Each agency in percent of `total` (one decimal). All null whenever "
                           "`min_cell` hides `total` or any count of `by_agency`: the shares add "
                           "up to 100, so any one of them would give a hidden count back."})


class DayAttendance(Schema):
    day = fields.String(metadata={"description": "local date of the session day", "format": "date"})
    rostered = _count("Participants on the roster that day.")
    attended = _count("Present or late that day.")
    rate = _ratio("attended / rostered.")


class Feedback(Schema):
    count = _count("Feedback forms with a rating.")
    average_rating = fields.Float(allow_none=True, metadata={
        "description": "Mean rating (1-5). Null without ratings or when `count` is hidden."})


class NextSession(Schema):
    session_id = fields.String()
    title = fields.String()
    starts_at = fields.String(allow_none=True, metadata=DATE_TIME)
    timezone = fields.String()


class _Suppressed(Schema):
    min_cell = fields.Integer(metadata={
        "description": "the `min_cell` applied; present only when it hides anything (k > 1)"})


class SessionIndicators(_Suppressed):
    """One session: enrolled and attended, attendance per day, feedback, place in its series."""

    session_id = fields.String()
    title = fields.String()
    status = fields.String()
    position = fields.Integer(allow_none=True, metadata={"description": "place in its series"})
    planned_sessions = fields.Integer(allow_none=True)
    next_session = fields.Nested(NextSession, allow_none=True)
    enrolled = fields.Nested(Breakdown)
    attended = fields.Nested(Breakdown, metadata={
        "description": "present or late on at least one day"})
    days = fields.Integer()
    attendance_by_day = fields.List(fields.Nested(DayAttendance))
    attendance_rate = _ratio("Person-days attended / person-days rostered.")
    feedback = fields.Nested(Feedback)


class SeriesSessionFigures(Schema):
    session_id = fields.String()
    position = fields.Integer()
    title = fields.String()
    status = fields.String()
    starts_at = fields.String(allow_none=True, metadata=DATE_TIME)
    enrolled = _count("Participants enrolled.")
    attendance_rate = _ratio("Person-days attended / person-days rostered.")


class Retention(_Suppressed):
    """Who attended every session held so far, out of the cohort rostered on the first one."""

    sessions_held = fields.Integer()
    cohort = fields.Nested(Breakdown)
    retained = fields.Nested(Breakdown)
    rate = _ratio("retained / cohort.")


class SeriesIndicators(Retention):
    """Retention through a series, and each session's head count and attendance rate."""

    series_id = fields.String()
    title = fields.String()
    planned_sessions = fields.Integer(allow_none=True)
    sessions = fields.List(fields.Nested(SeriesSessionFigures))
    next_session_id = fields.String(allow_none=True)


class ProgrammeIndicators(_Suppressed):
    """Distinct participants across a programme's sessions (cancelled ones left out)."""

    programme_id = fields.String()
    name = fields.String()
    sessions = fields.Integer()
    sessions_held = fields.Integer()
    enrolled = fields.Nested(Breakdown)
    attended = fields.Nested(Breakdown)
    feedback = fields.Nested(Feedback)


class IndicatorQuery(Query):
    min_cell = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000),
                              metadata={"description": "hide counts smaller than this"})
    format = fields.String(load_default=None, validate=validate.OneOf(("json", "csv")))
