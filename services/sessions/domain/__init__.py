"""Sessions' rules as plain functions: no Flask, no pymongo, no clock reads, tested alone."""
