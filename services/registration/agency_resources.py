"""HTTP resources for the managed list of agencies."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from common.auth import requires
from services.registration import agencies
from services.registration.http_errors import conflict
from services.registration.schemas import AgencyIn, AgencyOut, AgencyPatch, AgencyQuery

blp = Blueprint("agencies", __name__, url_prefix="/agencies",
                description="The agencies officers may belong to")


def _runtime():
    return current_app.config["RUNTIME"]


@blp.route("")
class Agencies(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.arguments(AgencyQuery, location="query")
    @blp.response(200, AgencyOut(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """The list of agencies by name (any role); `active` filters."""
        found, total = agencies.listing(_runtime(), filters["active"],
                                        pagination_parameters.first_item,
                                        pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return [{**a, "id": a["_id"]} for a in found]

    @requires("coordinator")
    @blp.arguments(AgencyIn)
    @blp.response(201, AgencyOut)
    @blp.alt_response(409, description="already listed; the body names its id")
    def post(self, body):
        """Add an agency to the list (admin or coordinator)."""
        try:
            stored = agencies.add(_runtime(), body["name"])
        except agencies.DuplicateAgencyError as exc:
            return conflict(str(exc), existing_id=exc.existing_id)
        return {**stored, "id": stored["_id"]}


@blp.route("/<agency_id>")
class Agency(MethodView):
    @requires("coordinator")
    @blp.arguments(AgencyPatch)
    @blp.response(200, AgencyOut)
    def patch(self, body, agency_id):
        """Retire an agency or bring it back (admin or coordinator)."""
        stored = agencies.set_active(_runtime(), agency_id, body["active"])
        if stored is None:
            abort(404, message=f"no agency with id {agency_id}")
        return {**stored, "id": stored["_id"]}
