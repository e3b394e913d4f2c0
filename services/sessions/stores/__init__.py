"""Persistence of sessions' aggregates, one module each; they call the domain rules and the
`common.persistence` patterns, and take the Runtime."""
