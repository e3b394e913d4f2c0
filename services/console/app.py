"""The console: `create_app()` is what gunicorn serves."""

import logging

from flask import Flask
from pymongo.errors import PyMongoError

from common.config import ConsoleSettings, load_console
from common.logs import configure
from services.console import errors, web
from services.console.store import ConsoleStore
from services.console.views import BLUEPRINTS

log = logging.getLogger(__name__)


def create_app(settings: ConsoleSettings | None = None, store: ConsoleStore | None = None):
    settings = settings or load_console()
    configure("console", settings.log_level)
    store = store or ConsoleStore(settings.mongo_uri, settings.database)
    try:
        store.ensure_indexes()
    except PyMongoError as exc:  # the pages say so; the process still starts
        log.warning("console database unavailable at start", extra={"error": type(exc).__name__})
    app = Flask(__name__)
    app.config.update(CONSOLE=settings, STORE=store, MAX_CONTENT_LENGTH=settings.max_body_bytes,
                      SECRET_KEY=settings.secret_key, TEMPLATES_AUTO_RELOAD=False)
    web.install(app)
    errors.register(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app
