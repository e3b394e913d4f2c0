"""Request bodies read by `common.http.Blueprint`: one schema instance per class, same answers."""

from flask import Flask
from flask.views import MethodView
from flask_smorest import Api
from marshmallow import fields, validate

from common.http import Blueprint
from common.schemas import Strict

built = []


class SeriesIn(Strict):
    title = fields.String(required=True, validate=validate.Length(min=1, max=20))
    planned_sessions = fields.Integer(required=True)

    def __init__(self, *args, **kwargs):
        built.append(1)
        super().__init__(*args, **kwargs)


def _client():
    app = Flask("t")
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    api = Api(app)
    blp = Blueprint("series", __name__)

    @blp.route("/series")
    class Series(MethodView):
        @blp.arguments(SeriesIn)
        @blp.response(201)
        def post(self, body):
            return body

    api.register_blueprint(blp)
    return app.test_client()


def test_a_body_schema_is_built_once_for_every_request_it_reads():
    client = _client()
    before = len(built)
    for n in range(3):
        response = client.post("/series", json={"title": f"Coaching {n}", "planned_sessions": 3})
        assert response.status_code == 201
        assert response.get_json() == {"title": f"Coaching {n}", "planned_sessions": 3}
    assert len(built) - before <= 1


def test_a_shared_schema_still_names_each_bad_field_of_each_request():
    client = _client()
    first = client.post("/series", json={"title": "", "planned_sessions": "3"})
    second = client.post("/series", json={"title": "Coaching", "surprise": 1})
    assert first.status_code == second.status_code == 422
    assert set(first.get_json()["errors"]["json"]) == {"title", "planned_sessions"}
    assert set(second.get_json()["errors"]["json"]) == {"planned_sessions", "surprise"}
