"""Persistence of notifications' aggregates, one module each, on `common.persistence`."""
