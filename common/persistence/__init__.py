"""The few persistence patterns the services need, named once, correct on MongoDB and FerretDB 1.24.

FerretDB 1.24 (the SQLite backend `make run` starts) answers a filter that is exactly `{_id: ...}`
from the primary key and decodes the whole collection for any other filter; it has no
transactions, and it applies a filtered update as an unisolated read-modify-write, so a guarded
`find_one_and_update` is not atomic there (two workers can both "win"). A unique insert is the one
atomic, exclusive step it offers. Domain and store modules therefore use these patterns and never
speak of the database's limits themselves:

- `by_id`: read and write one document by `_id`, with the condition checked in Python;
- `claims`: claim something by a unique insert (exactly one claimer wins, on both databases);
- `numbered_log`: append to a log numbered by `_id` (one entry, or many streams' in one insert),
  and read what follows a known number or the numbers asked;
- `projection`: a local copy of another service's facts, one document per `_id`;
- `together`: the writes a process's threads make at the same moment, made as one command.
"""
