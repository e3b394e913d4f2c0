"""Programmes: what a donor funds, e.g. GLO.ACT Asia and the Middle East."""

from flask.views import MethodView

from common.auth import requires
from common.http import Blueprint
from common.views import paged, runtime, shown
from services.sessions.resources.access import COORDINATOR, PLAN_READERS
from services.sessions.resources.programme_schemas import ProgrammeIn, ProgrammeOut
from services.sessions.stores import programme_store

blp = Blueprint("programmes", __name__, url_prefix="/programmes",
                description="Programmes, e.g. GLO.ACT Asia and the Middle East")


@blp.route("")
class Programmes(MethodView):
    @requires(*COORDINATOR)
    @blp.arguments(ProgrammeIn)
    @blp.response(201, ProgrammeOut)
    def post(self, details):
        """Create a programme (coordinator); publishes `sessions.programme.created`."""
        return shown(programme_store.create(runtime(), details))

    @requires(*PLAN_READERS)
    @blp.response(200, ProgrammeOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Programmes, oldest first (coordinator, service, viewer)."""
        return paged(pagination_parameters, programme_store.listing)


@blp.route("/<programme_id>")
class Programme(MethodView):
    @requires(*PLAN_READERS)
    @blp.response(200, ProgrammeOut)
    def get(self, programme_id):
        """One programme (coordinator, service, viewer)."""
        return shown(programme_store.get(runtime(), programme_id))
