# One image per service: docker compose builds it with SERVICE and PORT set. The API and the
# worker of a service run from the same image with different commands; the console has its own
# target (`target: console`), which creates the first admin before it serves.
FROM python:3.11.11-slim-bookworm AS base

ARG SERVICE
ARG PORT=8000
ENV SERVICE=${SERVICE} PORT=${PORT} \
    PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/metrics WORKER_HEARTBEAT_FILE=/tmp/worker-heartbeat

# Sessions (the donor's report) and notifications (certificates) render PDFs with WeasyPrint:
# Pango shapes the text, Urdu included, in Debian's Noto fonts (Naskh Arabic, Nastaliq Urdu).
RUN if [ "$SERVICE" = sessions ] || [ "$SERVICE" = notifications ]; then \
        apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 \
            libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-dejavu-core \
        && rm -rf /var/lib/apt/lists/*; fi

WORKDIR /app
COPY pyproject.toml constraints.txt ./
COPY common ./common
COPY operations ./operations
COPY services/__init__.py ./services/__init__.py
COPY services/${SERVICE} ./services/${SERVICE}
RUN test -n "$SERVICE" \
    && pip install --no-compile -c constraints.txt . \
    && useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin glo \
    && mkdir -p /tmp/metrics && chown glo /tmp/metrics

USER glo
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-m", "common.container_healthcheck"]

FROM base AS console
# The first admin from CONSOLE_ADMIN_EMAIL / CONSOLE_ADMIN_PASSWORD (once; later starts keep it).
CMD python -m services.console.accounts && exec gunicorn --bind 0.0.0.0:${PORT} \
    --workers ${API_WORKERS:-2} --worker-class gthread --threads 4 --graceful-timeout 20 \
    "services.console.app:create_app()"

FROM base AS service
CMD gunicorn --bind 0.0.0.0:${PORT} --workers ${API_WORKERS:-2} --worker-class gthread \
    --threads 4 --graceful-timeout 20 "services.${SERVICE}.app:create_app()"
