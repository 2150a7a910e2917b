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

Keep-alive for 75 s, not gunicorn's default 2 s. A server that closes an idle connection races
the client reusing it: a request sent as the server closes gets no answer at all (the client
sees "connection reset" or "closed without response"; the request was never read, so nothing
happened). The race only bites when a connection's idle gap lands on the timeout, and 2 s is the
product's own rhythm: a number being provisioned and a launching campaign poll every 2 s (htmx
waits 2 s after the last poll, or after the card it swapped in, so the connection idles about
2 s between polls), the messenger's replies and a conversation every 5 s, and a sender's clicks
come seconds apart. Under load the window is wider than the network's: a worker's main thread
closes the expired connections after dispatching the events of its last wait, taking its turns
at the GIL between the request threads', and a request that arrives meanwhile is dropped with
its socket (benchmarks/bench_load.py had 2 to 8 requests a run with no answer, each on a
connection idle 1.8 to 2.1 s; none in four runs at 75 s). At 75 s every poll and nearly every
pause between clicks reuses a live connection, and a browser that finds one closed after a
longer pause opens a new one before sending. When the race does hit, a browser mostly hides it:
it resends a request that failed on a reused connection before any byte of the answer came back
(Chrome whatever the method); a client that does not (python-requests, so the load generator;
perhaps a carrier's webhook sender) gets the error, and in a browser that does not an htmx click
does nothing visible (safe to click again: the request was never read). 75 s also outlasts the
60 s idle timeout of the usual proxies and load balancers, should one be put in front
(docker-compose.yml has none): the backend must not be the side that closes first. The cost is
small with threaded workers: an idle connection waits in the worker's poller, not in a thread,
and past ``worker_connections`` (1,000) less the threads a worker answers with ``Connection:
close`` instead of keeping more.
"""

worker_class = "gthread"
threads = 8
keepalive = 75
