"""Sessions' rules as plain functions: no Flask, no pymongo, tested alone."""
