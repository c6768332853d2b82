"""The visitor's address as the site sees it, for the sign-in lock-out (django-axes).

Behind a reverse proxy every request comes from the proxy's address; locking (username, address)
pairs would then lock a username for everyone at once. Each trusted proxy appends the address
it received the request from to X-Forwarded-For, so with TRUSTED_PROXY_COUNT proxies in front
the visitor's address is that many entries from the right; whatever the visitor wrote in the
header themselves lies further left and is ignored.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        # Not through every proxy (reached directly, or a proxy not configured to add the
        # header): the connection's own address is the only one known.
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote
