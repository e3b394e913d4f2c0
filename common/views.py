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


def paged(pagination_parameters, listing, *criteria, show=shown) -> list[dict]:
    """One page of ``listing(runtime, *criteria, first, size)`` as the API shows it; the total
    goes to flask-smorest for the `X-Pagination` header."""
    found, total = listing(runtime(), *criteria, pagination_parameters.first_item,
                           pagination_parameters.page_size)
    pagination_parameters.item_count = total
    return [show(document) for document in found]
