"""Every failure becomes a page a person can read: never a stack trace, never a bare 500."""

import logging

from flask import render_template
from pymongo.errors import PyMongoError
from werkzeug.exceptions import HTTPException

from services.console.clients.base import ApiRefusedError, ServiceDownError
from services.console.web import t

log = logging.getLogger(__name__)


def register(app) -> None:
    app.register_error_handler(ServiceDownError, _service_down)
    app.register_error_handler(ApiRefusedError, _refused)
    app.register_error_handler(PyMongoError, _console_database_down)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)


PAGES = {403: "refused", 404: "not-found", 503: "unavailable"}


def _page(title: str, message: str, status: int):
    return render_template("message.html", title=title, message=message,
                           page=PAGES.get(status, "error")), status


def _service_down(exc: ServiceDownError):
    log.warning("service unavailable", extra={"dependency": exc.service})
    return _page("Service unavailable", t(
        "The {service} service is not available right now. Other pages keep working; "
        "try this one again in a minute.", service=exc.service), 503)


def _refused(exc: ApiRefusedError):
    if exc.status == 403:
        return _page("Not allowed", t("You are not allowed to do this."), 403)
    if exc.status == 404:
        return _page("Not found", exc.message, 404)
    details = "; ".join(exc.field_messages())
    return _page("Not done", f"{exc.message}{': ' + details if details else ''}", exc.status)


def _console_database_down(exc: PyMongoError):
    log.warning("console database unavailable", extra={"error": type(exc).__name__})
    return _page("Sign-in unavailable", "The console cannot reach its own database, so nobody "
                 "can sign in right now. Try again in a minute.", 503)


def _http(exc: HTTPException):
    return _page(exc.name, exc.description or exc.name, exc.code or 400)


def _unexpected(exc: Exception):
    log.exception("unexpected error")
    return _page("Something went wrong", "The console could not show this page. The error was "
                 "logged; try again, or go back to the home page.", 500)
