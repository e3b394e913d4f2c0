"""HTTP resources of the sessions service: views translate, stores and domain rules decide."""

from services.sessions.resources import (
    certificate_views,
    facilitator_views,
    indicator_views,
    participation_views,
    programme_views,
    report_views,
    series_views,
    session_views,
)

BLUEPRINTS = (programme_views.blp, series_views.blp, session_views.blp, facilitator_views.blp,
              participation_views.blp, indicator_views.blp, certificate_views.blp,
              report_views.blp)
