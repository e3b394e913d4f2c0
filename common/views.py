"""What every service's views share: the runtime, its database, a document's wire shape."""

from flask import current_app


def runtime():
    """The process's `Runtime`, which `create_base_app` put in the app's config."""
    return current_app.config["RUNTIME"]


def database():
    return runtime().db


def shown(document: dict, **extra) -> dict:
    """A stored document as the API shows it: its `_id` also as `id`, plus ``extra`` fields."""
    return {**document, "id": document["_id"], **extra}
