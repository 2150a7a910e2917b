"""gunicorn's settings wherever the app is served for real: the Dockerfile, docker-compose.yml,
the HTTP benchmarks (benchmarks/serving.py) and the fault tests' web process. Each passes its own
``--bind`` and ``--workers``; ``gunicorn -c config/gunicorn.py config.wsgi:application``.

Threads in each worker: most of a request's time is spent waiting on PostgreSQL, and a webhook's
is mostly its commit's WAL flush (the 200 means "stored"). With one request per process only as
many commits as processes are ever in flight, and each waits for a flush of its own; with
threads, the commits of concurrent requests share one flush (PostgreSQL's group commit), and a
worker parses the next request while another waits on the database. Keep-alive connections,
which a sync worker closes after every answer, are kept too.

Each thread keeps its own database connection (``CONN_MAX_AGE``): a deployment opens at most
workers times threads of them from the web (24 in docker-compose.yml: 3 workers of 8), well under
PostgreSQL's default ``max_connections`` of 100 beside the Celery worker's.
"""

worker_class = "gthread"
threads = 8
