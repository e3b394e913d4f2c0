"""HTTP resources of the sessions service: views translate, domain modules decide."""

from services.sessions.resources import (
    certificates,
    facilitators,
    indicators,
    participation,
    planning,
    reports,
)
from services.sessions.resources import sessions as sessions_views

BLUEPRINTS = (planning.programmes_blp, planning.series_blp, sessions_views.blp,
              facilitators.blp, participation.blp, indicators.blp, certificates.blp, reports.blp)
