"""gunicorn settings for the portal's app servers, used by deploy/portal-web.service.

Flags on the command line and in GUNICORN_CMD_ARGS override these (deploy/try_local.sh binds another
port and starts two workers that way).
"""

import multiprocessing

# nginx (deploy/nginx-portal.conf) proxies to this address; another app server host binds its private
# address instead and is added to nginx's upstream block.
bind = "127.0.0.1:8000"

# Sync workers, about two per core: on the 2-core development machine they beat gthread workers on every
# benchmark under bench/. nginx buffers request bodies and responses, so a slow client never holds one.
worker_class = "sync"
workers = 2 * multiprocessing.cpu_count()

# A 50,000-row member import or a large export runs inside one request; nginx waits as long
# (proxy_read_timeout in deploy/nginx-portal.conf).
timeout = 120
graceful_timeout = 30

# Only the local proxy may set X-Forwarded-* for gunicorn itself; Django reads X-Forwarded-Proto through
# SECURE_PROXY_SSL_HEADER (BEHIND_PROXY=true).
forwarded_allow_ips = "127.0.0.1,::1"

accesslog = "-"
errorlog = "-"
loglevel = "info"
