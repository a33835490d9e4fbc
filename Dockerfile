# Billings web image: Python 3.13 slim, non-root, static files collected at build time.
FROM python:3.13-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN groupadd --system billings && useradd --system --gid billings --home /app billings

# Every package is pinned with its hashes (requirements.in compiled by `make lock`).
COPY requirements.txt .
RUN pip install --require-hashes --no-deps -r requirements.txt

COPY --chown=billings:billings . .

# collectstatic needs settings to import; these build-time values never reach runtime.
RUN DJANGO_ENV=production \
    DJANGO_SECRET_KEY=build-only-not-a-secret \
    DJANGO_ALLOWED_HOSTS=build \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown -R billings:billings /app/staticfiles /app/media

USER billings
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"

# Migrate, then serve. Run migrations from one container per deploy, not from every replica
# at once (two replicas migrating together can race on the same table): docker-compose.yml runs
# this default command on web-a only and starts other replicas with plain gunicorn, after web-a
# is healthy. See docs/OPERATIONS.md "Migrations during a deploy".
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn billings.wsgi:application -c gunicorn.conf.py"]
