"""gunicorn's settings for `plombiers serve` (the production web server); the command adds the
address, the number of workers and of threads.

The master process never loads the application (no `preload_app`): it imports neither Django nor
Typst and renders nothing, so every worker it forks — at start, after a crash, after
`max_requests`, on a graceful reload (HUP) — starts from a clean process. (A worker forked from
a process that had compiled a PDF would still render, through the helper process of
`plombiers.lib.typst_compiler`, only slower.)
"""

import os

wsgi_app = "plombiers.wsgi:application"
preload_app = False

# One line per request on the standard output, with the request's id (plombiers/requestlog.py),
# its status, size and duration in milliseconds; gunicorn's own messages on the error output.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'

# A worker that does not answer its master for this long is killed and replaced; a graceful
# reload or stop gives the requests under way this long to finish.
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
# Workers are replaced after this many requests (a slow leak never grows without end).
max_requests = 2000
max_requests_jitter = 200
# The workers' heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Managed by signals (systemd: HUP to reload, TERM to stop), not by a control socket in $HOME.
control_socket_disable = True
