# graphsvc under gunicorn (see docs/deployment.md). Build: docker build -t graphsvc .
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first (cached while only the code changes).
COPY requirements.txt ./
RUN python -m pip install -r requirements.txt

COPY pyproject.toml gunicorn.conf.py ./
COPY graphsvc ./graphsvc
COPY loaders ./loaders
COPY cypher ./cypher
RUN python -m pip install --no-deps . \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin graphsvc

USER graphsvc
EXPOSE 8080
# Listen on all interfaces inside the container; docker-compose publishes on loopback only.
ENV GRAPHSVC_BIND=0.0.0.0:8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/api/v1/health', timeout=2).status == 200 else 1)"
CMD ["gunicorn", "-c", "gunicorn.conf.py"]
