# Slim image: migrations, then uvicorn with WEB_CONCURRENCY workers, as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    APP_ENV=production HOST=0.0.0.0 PORT=8000 WEB_CONCURRENCY=2

RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 plans

WORKDIR /srv/plans
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY frontend ./frontend
# Editable, so the app finds its migrations and PWA beside it in /srv/plans.
RUN pip install -e . && mkdir -p data && chown plans data

USER plans
EXPOSE 8000
# SECRET_KEY, ENCRYPTION_KEY, PUBLIC_BASE_URL and DATABASE_URL come from the environment;
# the app refuses to start without a real SECRET_KEY, an ENCRYPTION_KEY and PUBLIC_BASE_URL.
# `serve` applies migrations before it starts uvicorn.
CMD ["python", "-m", "app", "serve"]
