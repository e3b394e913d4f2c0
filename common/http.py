"""The parts of every service's Flask app: API docs, request ids, JSON errors, body limit."""

import functools
import logging
import re
import time
import uuid
from http import HTTPStatus

import flask_smorest
from apispec import BasePlugin
from flask import Flask, current_app, g, jsonify, request, send_from_directory
from flask_smorest import Api
from marshmallow import Schema
from pymongo.errors import ConnectionFailure, DuplicateKeyError
from swagger_ui_bundle import swagger_ui_path
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from common import asyncapi, dead_letters, health_endpoints, idempotency, metrics
from common.auth import requires
from common.backlog import consumer_lag, outbox_backlog
from common.logs import configure, correlation_id

log = logging.getLogger(__name__)

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
MAX_PAGE = 1_000_000
# Swagger UI from the pinned `swagger-ui-bundle` package, served by the service itself: `/docs`
# works without internet and always runs the same, reviewed code.
SWAGGER_UI_ASSETS = "/docs/swagger-ui/"


class OneSchemaEachParser(FlaskParser):
    """Reads every request with one instance per schema class: webargs otherwise builds the
    schema anew for each request, which costs more than reading the body with it (e.g. 0.3 ms
    for a participant's profile against 0.2 ms for its load). A marshmallow 4 schema keeps no
    state between loads, so threads may share it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas: dict[type, Schema] = {}

    def _get_schema(self, argmap, req) -> Schema:
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas[argmap] = argmap()
            return schema
        return super()._get_schema(argmap, req)


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint reading arguments with one schema instance per class."""

    ARGUMENTS_PARSER = OneSchemaEachParser()


HEALTH_BODY = {"application/json": {"schema": {
    "type": "object", "required": ["status"], "additionalProperties": False,
    "properties": {"status": {"type": "string", "enum": ["ok", "unavailable"]},
                   "reasons": {"type": "array", "items": {"type": "string"},
                               "description": "what is down (503 only)"}}}}}


class CrossCuttingResponses(BasePlugin):
    """Documents the answers every operation can give besides its own, so a client (and the
    schemathesis run) finds each status it can meet declared, not left to `default`."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            if (path or "").startswith("/health/"):
                responses.setdefault("200", {"description": "ready (or alive)",
                                             "content": HEALTH_BODY})
                responses.setdefault("503", {"description": "not ready, with the reasons",
                                             "content": HEALTH_BODY})
                continue
            codes = [503] if operation.get("security") == [] else [401, 403, 503]
            if "{" in (path or ""):
                codes.append(404)
            if method in ("post", "put", "patch", "delete"):
                codes += [400, 413]
            for code in codes:
                responses.setdefault(str(code), HTTPStatus(code).name)


def create_base_app(runtime, title: str, description: str,
                    published: dict | None = None) -> tuple[Flask, Api]:
    """A Flask app with flask-smorest, health, auth docs and the cross-cutting hooks.

    Views reach ``runtime`` (and its database) through `common.views`; ``published`` (event
    type -> payload schema, the service's `events.PUBLISHED`) is served at `/asyncapi.json`.
    """
    settings = runtime.settings
    configure(settings.service, settings.log_level)
    app = Flask(settings.service)
    app.config.update(
        SETTINGS=settings,
        RUNTIME=runtime,
        PUBLISHED_EVENTS=published or {},
        DB=lambda: runtime.db,
        API_TITLE=title,
        API_VERSION="1.0.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL=SWAGGER_UI_ASSETS,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_SPEC_OPTIONS={
            "info": {"description": description},
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
            "security": [{"bearerAuth": []}],
        },
    )
    api = Api(app, spec_kwargs={"extra_plugins": [CrossCuttingResponses()]})
    api.register_blueprint(health_endpoints.blp)
    api.register_blueprint(dead_letters.blp)
    app.before_request(_start_request)
    app.before_request(_refuse_oversized)
    app.before_request(functools.partial(_refuse_undeclared_query, api))
    app.before_request(_prepare_runtime)
    app.before_request(idempotency.refuse_malformed_key)
    app.after_request(idempotency.remember)
    app.after_request(_finish_request)
    app.add_url_rule("/metrics", "metrics", _metrics)
    app.add_url_rule("/asyncapi.json", "asyncapi", _asyncapi)
    app.add_url_rule(f"{SWAGGER_UI_ASSETS}<path:filename>", "swagger_ui_assets",
                     _swagger_ui_asset)
    app.register_error_handler(ConnectionFailure, _database_unavailable)
    app.register_error_handler(DuplicateKeyError, _conflict)
    app.register_error_handler(RecursionError, _too_deep)
    app.register_error_handler(Exception, _unexpected)
    return app, api


def _start_request():
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else str(uuid.uuid4())
    g.started = time.monotonic()
    correlation_id.set(g.request_id)


def _refuse_oversized():
    """413 on every write over the limit, also where the view reads no body, and for a chunked
    body (werkzeug stops reading it at the limit and hands on what it read)."""
    if request.method not in idempotency.WRITES:
        return None
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    # An endpoint that takes a list in one request (a bulk import) names its own limit.
    larger = current_app.config.get("BODY_LIMITS", {}).get(request.endpoint)
    if larger:
        limit = request.max_content_length = larger
    length = request.content_length
    if length is None and request.environ.get("wsgi.input_terminated"):
        length = len(request.get_data(cache=True))
        length = limit + 1 if length >= limit else length
    if length is not None and length > limit:
        return error_response(413, f"the body is over the limit of {limit} bytes")
    return None


def _refuse_undeclared_query(api: Api):
    """422 for a query parameter the operation does not declare: webargs drops unknown query
    fields whatever the schema says, so `?agency[$ne]=x` or a typo would silently filter nothing."""
    if not request.args or request.url_rule is None:
        return None
    declared = current_app.extensions.get("declared_query")
    if declared is None:
        declared = current_app.extensions["declared_query"] = _declared_query(api)
    method = "get" if request.method == "HEAD" else request.method.lower()
    path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", request.url_rule.rule)
    allowed = declared.get((method, path))
    if allowed is None:
        return None  # not an operation of the OpenAPI document (docs, metrics, static)
    unknown = sorted(set(request.args) - allowed)
    if not unknown:
        return _refuse_page_out_of_range()
    return error_response(422, "unknown query parameter(s): " + ", ".join(unknown),
                          errors={"query": {name: ["Unknown field."] for name in unknown}})


def _refuse_page_out_of_range():
    """A page so far out that its offset overflows MongoDB's 8-byte ints is a 422, not a 500."""
    page = request.args.get("page", "")
    if page.isdigit() and int(page) > MAX_PAGE:
        return error_response(422, f"page must be at most {MAX_PAGE}",
                              errors={"query": {"page": [f"Must be at most {MAX_PAGE}."]}})
    return None


def _declared_query(api: Api) -> dict[tuple[str, str], set[str]]:
    declared = {}
    for path, item in api.spec.to_dict().get("paths", {}).items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method == "parameters":
                continue
            declared[(method, path)] = {p["name"] for p in (*shared, *operation.get(
                "parameters", [])) if p.get("in") == "query"}
    return declared


def _prepare_runtime():
    runtime = current_app.config.get("RUNTIME")
    if runtime is not None and not request.path.startswith("/health"):
        runtime.prepare()


def _finish_request(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    if not request.path.startswith(("/health", "/metrics")):
        route = request.url_rule.rule if request.url_rule else "unmatched"
        elapsed = time.monotonic() - g.get("started", time.monotonic())
        metrics.HTTP_REQUESTS.labels(request.method, route, response.status_code).inc()
        metrics.HTTP_LATENCY.labels(request.method, route).observe(elapsed)
        log.info("request", extra={"method": request.method, "route": route,
                                   "status": response.status_code,
                                   "duration_ms": round(elapsed * 1000, 1)})
    return response


@requires("service")
def _metrics():
    """Prometheus metrics of this service (a `service` or `admin` token, e.g. Prometheus')."""
    runtime = current_app.config.get("RUNTIME")
    extra = []
    if runtime is not None:
        collector = current_app.extensions.get("backlog_collector")
        if collector is None:
            collector = metrics.BacklogCollector(lambda: _backlog(runtime))
            current_app.extensions["backlog_collector"] = collector
        extra.append(collector)
    body, content_type = metrics.render(extra)
    return current_app.response_class(body, content_type=content_type)


def _asyncapi():
    """The AsyncAPI document of the topic this service publishes to (docs, like OpenAPI)."""
    document = current_app.extensions.get("asyncapi")
    if document is None:
        document = asyncapi.document({current_app.config["SETTINGS"].service:
                                      current_app.config["PUBLISHED_EVENTS"]})
        current_app.extensions["asyncapi"] = document
    return jsonify(document)


def _swagger_ui_asset(filename: str):
    """A file of the pinned Swagger UI (scripts, stylesheet, icons) for `/docs`."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)


def _backlog(runtime) -> dict:
    settings = runtime.settings
    lag = {}
    try:
        from kafka.admin import KafkaAdminClient

        admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap,
                                 bootstrap_timeout_ms=2000, request_timeout_ms=3000)
        try:
            group = settings.consumer_group
            topics = sorted({tp.topic for tp in admin.list_group_offsets(group).get(group, {})})
        finally:
            admin.close()
        lag = consumer_lag(settings.kafka_bootstrap, settings.consumer_group, topics)
    except Exception as exc:
        log.warning("consumer lag not measured", extra={"error": type(exc).__name__})
    return {"outbox": outbox_backlog(runtime.db), "lag": lag}


def map_errors(app, statuses: dict[type[Exception], int]) -> None:
    """Answers each domain refusal with its HTTP status and the refusal's message, once per app."""
    for refusal, status in statuses.items():
        app.register_error_handler(refusal, functools.partial(_refused, status))


def _refused(status: int, exc: Exception):
    return error_response(status, str(exc))


def error_response(status: int, message: str, **details):
    """A JSON error in flask-smorest's shape, with extra fields (e.g. the id of a conflict)."""
    response = jsonify(code=status, status=HTTPStatus(status).phrase, message=message, **details)
    response.status_code = status
    return response


def _database_unavailable(exc):
    log.warning("database unavailable", extra={"error": type(exc).__name__})
    response = jsonify(code=503, status="Service Unavailable",
                       message="the database is unavailable; nothing was written, retry later")
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response


def _conflict(exc):
    return error_response(409, "this conflicts with a record that already exists")


def _too_deep(exc):
    # json.loads recurses per level of nesting: `[[[[...` a few thousand deep ends here.
    log.warning("request nested too deeply", extra={"error": type(exc).__name__})
    return error_response(400, "the request is nested too deeply to read")


def _unexpected(exc):
    if isinstance(exc, HTTPException):
        response = jsonify(code=exc.code, status=exc.name, message=exc.description)
        response.status_code = exc.code
        return response
    log.exception("unexpected error")
    response = jsonify(code=500, status="Internal Server Error",
                       message="unexpected error; the request id identifies it in the logs")
    response.status_code = 500
    return response
