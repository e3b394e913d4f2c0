"""The console's pages, one blueprint per area."""

from services.console.views import (
    admin,
    attendance,
    auth,
    home,
    indicators,
    notices,
    officers,
    operations,
    planning,
)

BLUEPRINTS = (auth.blp, home.blp, admin.blp, planning.blp, officers.blp, attendance.blp,
              indicators.blp, notices.blp, operations.blp)
