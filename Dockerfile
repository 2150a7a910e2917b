FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements/ requirements/
RUN pip install --no-cache-dir -r requirements/base.txt
COPY . .
# The production settings' storage writes the manifest of hashed names that production pages
# need. The secret, hosts and mail address here exist only for this one command.
RUN LONGCODE_ENV=production SECRET_KEY=collectstatic-build-only ALLOWED_HOSTS=build.invalid \
    EMAIL_URL=consolemail:// python manage.py collectstatic --noinput
RUN useradd --create-home longcode && mkdir -p var/uploads && chown -R longcode var
USER longcode
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
