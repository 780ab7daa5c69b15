# The image for web, worker, beat and the migrate step (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=cms.settings.production
# Pango and HarfBuzz for WeasyPrint (certificate PDFs), the Noto and DejaVu fonts certificates print
# names with (the same packages as .ci/system-deps.sh), pg_isready for operators.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-noto-core fonts-noto-cjk fonts-dejavu-core postgresql-client \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 app
WORKDIR /app
# Dependencies first, from pyproject.toml alone (a layer that survives code changes). The project itself
# runs from /app (PYTHONPATH), not from site-packages: settings find templates/ next to cms/.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt && rm /tmp/requirements.txt
COPY . .
# Static files at build time (hashed and compressed for WhiteNoise); the key is a throwaway, never used at run time.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
 && mkdir -p /app/media /app/private && chown app:app /app/media /app/private
USER app
EXPOSE 8000
CMD ["gunicorn", "cms.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
