# 三单 Sandan: one image for the web server and the worker (compose.yaml runs both).
# Build: docker build -t sandan .   The store, photos and backups live in the /app/var volume.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/sandan-metrics

WORKDIR /app
# A Chinese font for the 帮办二维码 posters (qrcode.font); nothing is downloaded at run time.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*
# The locked runtime tree first, so a code change does not reinstall it.
COPY requirements-runtime.lock requirements.txt pyproject.toml ./
RUN pip install --no-cache-dir -r requirements-runtime.lock

COPY bot bot
COPY dispatch dispatch
COPY nlu nlu
COPY settings settings
COPY standin standin
COPY web web
COPY wording wording
COPY data data
COPY config.yaml ./
RUN pip install --no-cache-dir --no-deps . \
    && useradd --system --uid 10001 --home-dir /app sandan \
    && mkdir -p /app/var /tmp/sandan-metrics \
    && chown -R sandan /app/var /tmp/sandan-metrics

USER sandan
VOLUME ["/app/var"]
EXPOSE 8800
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8800/health', timeout=4).status != 200)"
# Secrets come from SANDAN_* variables (compose: env_file); the demo's are refused.
CMD ["sh", "-c", "sandan db init && exec sandan serve --host 0.0.0.0 --port 8800 --no-scheduler"]
