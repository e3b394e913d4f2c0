"""The domain's refusals; `resources/errors.py` maps each kind to its HTTP status once."""


class NotFoundError(Exception):
    """No such participant, enrollment, session, series or agency (HTTP 404)."""


class InvalidFieldError(Exception):
    """A well-formed value the service cannot accept, named by field (HTTP 422)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class InvalidProfileError(Exception):
    """The profile with the change applied is not one the API may store or serve (HTTP 422)."""

    def __init__(self, errors: dict):
        super().__init__("the profile would be incomplete or invalid after this change")
        self.errors = errors


class ConflictError(Exception):
    """The change conflicts with what is stored (HTTP 409); ``existing_id`` names the other."""

    existing_id: str | None = None


class GoneError(Exception):
    """What was asked for existed and was erased for good (HTTP 410)."""


class ContentionError(Exception):
    """Too many concurrent changes to one session; the caller may retry (HTTP 503)."""


class UnknownParticipantError(NotFoundError):
    def __init__(self, participant_id: str):
        super().__init__(f"no participant with id {participant_id}")


class UnknownSessionError(NotFoundError):
    def __init__(self, session_id: str):
        super().__init__(f"no session with id {session_id} is known to registration")


class UnknownSeriesError(NotFoundError):
    def __init__(self, series_id: str):
        super().__init__(f"no series with id {series_id} is known to registration")


class UnknownEnrollmentError(NotFoundError):
    def __init__(self, enrollment_id: str):
        super().__init__(f"no enrollment with id {enrollment_id}")


class UnknownAgencyError(NotFoundError):
    def __init__(self, agency_id: str):
        super().__init__(f"no agency with id {agency_id}")


class DuplicateParticipantError(ConflictError):
    def __init__(self, existing_id: str | None, what: str = "this email"):
        super().__init__(f"a participant with {what} is already registered")
        self.existing_id = existing_id


class DuplicateAgencyError(ConflictError):
    def __init__(self, existing_id: str | None):
        super().__init__("an agency with this name is already listed")
        self.existing_id = existing_id


class ErasedParticipantError(ConflictError):
    def __init__(self, participant_id: str):
        super().__init__(f"participant {participant_id} was erased")


class ErasedContactError(GoneError):
    def __init__(self, participant_id: str):
        super().__init__(f"participant {participant_id} was erased")


class AlreadyEnrolledError(ConflictError):
    def __init__(self, enrollment: dict):
        super().__init__(f"the participant is already {enrollment['status']} in this session")
        self.existing_id = enrollment["enrollment_id"]


class SessionClosedError(ConflictError):
    def __init__(self, session_id: str, status: str):
        super().__init__(f"session {session_id} is {status}; it takes no enrollments")


class IllegalTransitionError(ConflictError):
    """The enrollment is not in a state that allows this change."""


class NotEligibleError(ConflictError):
    """The series' eligibility rule refuses her."""
