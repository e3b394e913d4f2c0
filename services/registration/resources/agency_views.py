"""HTTP resources for the managed list of agencies."""

from flask.views import MethodView

from common.auth import requires
from common.http import Blueprint
from common.views import paged, runtime, shown
from services.registration.resources.agency_schemas import (
    AgencyIn,
    AgencyOut,
    AgencyPatch,
    AgencyQuery,
)
from services.registration.stores import agency_store

blp = Blueprint("agencies", __name__, url_prefix="/agencies",
                description="The agencies officers may belong to")


@blp.route("")
class Agencies(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.arguments(AgencyQuery, location="query")
    @blp.response(200, AgencyOut(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """The list of agencies by name (any role); `active` filters."""
        return paged(pagination_parameters, agency_store.listing, filters["active"])

    @requires("coordinator")
    @blp.arguments(AgencyIn)
    @blp.response(201, AgencyOut)
    @blp.alt_response(409, description="already listed; the body names its id")
    def post(self, body):
        """Add an agency to the list (admin or coordinator)."""
        return shown(agency_store.add(runtime(), body["name"]))


@blp.route("/<agency_id>")
class Agency(MethodView):
    @requires("coordinator")
    @blp.arguments(AgencyPatch)
    @blp.response(200, AgencyOut)
    def patch(self, body, agency_id):
        """Retire an agency or bring it back (admin or coordinator)."""
        return shown(agency_store.set_active(runtime(), agency_id, body["active"]))
