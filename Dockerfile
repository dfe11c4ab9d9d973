# The bot as a container: slim, non-root, with a health check on /healthz (webhook mode).
# Build: docker build -t reviews-bot .    Run several behind nginx: compose.yaml (docs/operations.md).
# The default knowledge base ships inside the package; to serve another, mount it and set KNOWLEDGE_DIR.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN python -m venv /opt/venv && /opt/venv/bin/pip install .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin bot \
    && mkdir -p /data && chown bot:bot /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATA_DIR=/data \
    WEBHOOK_LISTEN=0.0.0.0 \
    WEBHOOK_PORT=8080 \
    LOG_LEVEL=INFO
USER bot
VOLUME ["/data"]
EXPOSE 8080
# Ready = knowledge loaded and the database answering; a draining replica (after SIGTERM) reports 503.
# Long polling serves no HTTP: run such a container with --no-healthcheck.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('WEBHOOK_PORT', '8080') + '/healthz', timeout=2)"]
# SIGTERM drains: no new updates, the ones in flight finish, the pool closes (within stop_grace_period).
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
