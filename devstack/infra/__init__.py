"""Local infrastructure for development and CI: Kafka (KRaft), FerretDB and an SMTP sink.

    from devstack.infra import up, down, status
    infra = up()            # fetch/build once, start what is not running, wait, create topics
    os.environ.update(infra.env())
    down(infra.started)     # stop only what this call started

State lives in .local/ (or $GLO_ACT_STATE); downloads and builds in ~/.cache/glo-act.
"""

from devstack.infra.kafka import ensure_topics
from devstack.infra.paths import state_dir
from devstack.infra.procs import InfraError
from devstack.infra.stack import COMPONENTS, Infra, down, local_components, status, up

__all__ = [
    "COMPONENTS", "Infra", "InfraError", "down", "ensure_topics", "local_components",
    "state_dir", "status", "up",
]
