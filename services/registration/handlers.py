"""What registration consumes: the one visible list of (topic, event type, handler)."""

from common.dispatch import Registry
from common.envelope import Event
from common.runtime import Runtime
from common.topics import SESSIONS_EVENTS
from services.registration import consumed
from services.registration.stores import cohort_store, seat_store
from services.registration.stores import session_projection_store as projection


def build_registry(runtime: Runtime) -> Registry:
    registry = Registry()

    @registry.on(SESSIONS_EVENTS, consumed.SERIES_CREATED, consumed.SeriesCreated())
    def series_created(event: Event, payload: dict) -> None:
        projection.project_series(runtime, payload)

    @registry.on(SESSIONS_EVENTS, consumed.SESSION_SCHEDULED, consumed.SessionScheduled())
    def session_scheduled(event: Event, payload: dict) -> None:
        projection.project_scheduled(runtime, payload)
        seat_store.open_session(runtime, payload["session_id"], payload["series_id"],
                           payload["capacity"])
        cohort_store.enroll_cohort(runtime, payload["session_id"], payload["series_id"], event)

    @registry.on(SESSIONS_EVENTS, consumed.SESSION_RESCHEDULED, consumed.SessionRescheduled())
    def session_rescheduled(event: Event, payload: dict) -> None:
        projection.project_rescheduled(runtime, payload)

    @registry.on(SESSIONS_EVENTS, consumed.SESSION_CAPACITY_CHANGED,
                 consumed.SessionCapacityChanged())
    def capacity_changed(event: Event, payload: dict) -> None:
        seat_store.change_capacity(runtime, payload["session_id"], payload["capacity"], event)

    @registry.on(SESSIONS_EVENTS, consumed.SESSION_CANCELLED, consumed.SessionCancelled())
    def session_cancelled(event: Event, payload: dict) -> None:
        projection.project_closed(runtime, payload["session_id"], "cancelled")
        seat_store.close(runtime, payload["session_id"], "cancelled",
                    payload.get("reason") or "the session was cancelled", event)

    @registry.on(SESSIONS_EVENTS, consumed.SESSION_COMPLETED, consumed.SessionCompleted())
    def session_completed(event: Event, payload: dict) -> None:
        projection.project_closed(runtime, payload["session_id"], "completed")
        seat_store.close(runtime, payload["session_id"], "completed", None, event)

    @registry.on(SESSIONS_EVENTS, consumed.ATTENDANCE_RECORDED, consumed.AttendanceRecorded())
    def attendance_recorded(event: Event, payload: dict) -> None:
        projection.project_attendance(runtime, payload)

    @registry.on(SESSIONS_EVENTS, consumed.FACILITATOR_ASSIGNED, consumed.FacilitatorChanged())
    def facilitator_assigned(event: Event, payload: dict) -> None:
        projection.project_facilitator(runtime, payload, assigned=True)

    @registry.on(SESSIONS_EVENTS, consumed.FACILITATOR_REMOVED, consumed.FacilitatorChanged())
    def facilitator_removed(event: Event, payload: dict) -> None:
        projection.project_facilitator(runtime, payload, assigned=False)

    return registry
