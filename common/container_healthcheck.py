"""Container healthcheck: an API answers /health/live; a worker's heartbeat file is fresh.

`python -m common.container_healthcheck` decides by the container's role: with WORKER_ROLE=worker
it reads the heartbeat the consumer loop touches, otherwise it asks the API on $PORT.
"""

import os
import sys
import time
import urllib.request

from common.config import load_healthcheck


def main() -> int:
    settings = load_healthcheck()
    if settings.worker:
        try:
            age = time.time() - os.path.getmtime(settings.heartbeat_file)
            return 0 if age < settings.heartbeat_max_age_s else 1
        except OSError:
            return 1
    url = f"http://127.0.0.1:{settings.port}/health/live"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - fixed local URL
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
