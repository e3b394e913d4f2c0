"""`make bench`: the system measured against its own raw drivers, in one run."""
