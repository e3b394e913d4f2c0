"""Certificates: public verification by code (no sign-in, rate-limited) and coordinators'
decisions by hand."""

from pathlib import Path

from flask import Response, request
from flask.views import MethodView
from jinja2 import Environment, FileSystemLoader, select_autoescape

from common.auth import requires
from common.http import Blueprint, error_response
from common.views import runtime, shown
from services.sessions.resources.access import COORDINATOR
from services.sessions.resources.certificate_schemas import (
    CertificateOut,
    CertificateQuery,
    IssueIn,
    RevokeIn,
    RuleIn,
    RuleOut,
    VerificationOut,
    VerificationQuery,
)
from services.sessions.stores import certificate_store, verification_store

PAGES = Environment(loader=FileSystemLoader(Path(__file__).parents[1] / "templates"),
                    autoescape=select_autoescape(["html"]))
blp = Blueprint("certificates", __name__, description="Certificates of completion")
AS_JSON_OR_HTML = {200: {"content": {"application/json": {"schema": VerificationOut},
                                     "text/html": {"schema": {"type": "string"}}}},
                   429: {"description": "too many verifications from this address"}}


@blp.route("/certificates/<code>")
class Verification(MethodView):
    @blp.doc(security=[], responses=AS_JSON_OR_HTML)
    @blp.arguments(VerificationQuery, location="query")
    @blp.response(200, VerificationOut)
    def get(self, query, code):
        """Verify a certificate by its code (open, no sign-in): valid, revoked or unknown, with
        the course, its dates, the programme and the holder's initials; a browser gets a page."""
        # The direct peer only: a proxy in front must be trusted explicitly, or anyone could
        # spoof X-Forwarded-For to escape the limit.
        wait = verification_store.admit(runtime(), request.remote_addr or "unknown")
        if wait is not None:
            refused = error_response(429, "too many verifications; try again later")
            refused.headers["Retry-After"] = str(wait)
            return refused
        found = verification_store.answer(runtime(), code)
        wants_html = query["format"] == "html" or (query["format"] is None and (
            request.accept_mimetypes.best_match(["application/json", "text/html"])
            == "text/html"))
        if wants_html:
            return Response(PAGES.get_template("verification.html").render(found=found),
                            mimetype="text/html")
        return found


@blp.route("/certificates")
class Certificates(MethodView):
    @requires(*COORDINATOR)
    @blp.arguments(CertificateQuery, location="query")
    @blp.response(200, CertificateOut(many=True))
    def get(self, query):
        """A course's certificates with their evidence (coordinator)."""
        return [shown(c) for c in certificate_store.listing(runtime(), query["course_id"])]

    @requires(*COORDINATOR)
    @blp.arguments(IssueIn)
    @blp.response(201, CertificateOut)
    @blp.alt_response(409, description="already issued")
    def post(self, body):
        """Issue a certificate by hand, whatever the rule says, with a reason (coordinator);
        publishes `sessions.certificate.issued`."""
        return shown(certificate_store.issue_by_hand(runtime(), body["session_id"],
                                                     body["participant_id"], body["reason"]))


@blp.route("/certificates/<code>/revocation", methods=["POST"])
@requires(*COORDINATOR)
@blp.arguments(RevokeIn)
@blp.response(200, CertificateOut)
@blp.alt_response(409, description="already revoked")
def revoke(body, code):
    """Revoke a certificate with a reason (coordinator); verification then answers `revoked`;
    publishes `sessions.certificate.revoked`."""
    return shown(certificate_store.revoke_by_hand(runtime(), code, body["reason"]))


@blp.route("/series/<series_id>/certificate-rule", methods=["PUT"])
@requires(*COORDINATOR)
@blp.arguments(RuleIn)
@blp.response(200, RuleOut)
def set_rule(rule, series_id):
    """Set the series' completion rule (coordinator); a finished series is decided again."""
    return certificate_store.set_rule(runtime(), series_id, rule)
