"""Login lockout: who the client is.

Failures are counted per (username, client address). Behind the TLS proxy production uses,
REMOTE_ADDR is the proxy's address for everyone, so one person's failures would lock every
login of that name: `client_ip` takes the address the trusted proxy saw instead. Only
proxies listed in CLINLEAD_TRUSTED_PROXIES are believed, so a client cannot pick its own
address with an X-Forwarded-For header, and cannot lock another person out from elsewhere.
"""

import ipaddress

from django.conf import settings


def _networks():
    return [ipaddress.ip_network(text.strip(), strict=False)
            for text in getattr(settings, "CLINLEAD_TRUSTED_PROXIES", []) if text.strip()]


def _trusted(address, networks):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or, when that is a trusted proxy, the right-most
    address in X-Forwarded-For that is not a trusted proxy itself."""
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks()
    if not networks or not _trusted(remote, networks):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote
    return remote
