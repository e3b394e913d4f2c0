"""The console's pages, one blueprint per area."""

from services.console.views import (
    admin,
    attendance,
    auth,
    certificates,
    home,
    indicators,
    notices,
    officers,
    operations,
    planning,
    reports,
)

BLUEPRINTS = (auth.blp, home.blp, admin.blp, planning.blp, officers.blp, attendance.blp,
              indicators.blp, notices.blp, operations.blp, reports.blp, certificates.blp)
