"""HTTP resources of the registration service: views translate, stores and domain decide."""

from services.registration.resources import (
    agency_views,
    enrollment_views,
    participant_views,
    series_views,
)

BLUEPRINTS = (participant_views.blp, agency_views.blp, enrollment_views.blp, series_views.blp)
