"""Container healthcheck: an API answers /health/live; a worker's heartbeat file is fresh.

`python -m common.healthcheck` decides by the container's role: with WORKER_ROLE=worker it reads the
heartbeat the consumer loop touches, otherwise it asks the API on $PORT.
"""

import os
import sys
import time
import urllib.request


def main() -> int:
    if os.environ.get("WORKER_ROLE") == "worker":
        path = os.environ.get("WORKER_HEARTBEAT_FILE", "/tmp/worker-heartbeat")  # noqa: S108
        max_age = float(os.environ.get("WORKER_HEARTBEAT_MAX_AGE_SECONDS", "60"))
        try:
            return 0 if time.time() - os.path.getmtime(path) < max_age else 1
        except OSError:
            return 1
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/health/live"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - fixed local URL
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
