"""Persistence, one module per aggregate: each takes the Runtime and uses `common.persistence`."""
