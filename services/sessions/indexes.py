"""Every index sessions needs, created once per process when the database answers."""

from common.runtime import Runtime
from services.sessions import certificates, facilitators, programmes, roster, series, sessions


def ensure(runtime: Runtime) -> None:
    for module in (programmes, series, sessions, facilitators, roster, certificates):
        module.ensure_indexes(runtime)
