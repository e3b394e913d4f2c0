"""Persistence, one module per aggregate, on the `common.persistence` patterns."""
