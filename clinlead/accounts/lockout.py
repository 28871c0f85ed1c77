"""Login lockout: who the client is.

Failures are counted per (username, client address). Behind the TLS proxy production uses,
REMOTE_ADDR is the proxy's address for everyone, so one person's failures would lock every
login of that name: `client_ip` takes the address the trusted proxy saw instead. Only
proxies listed in CLINLEAD_TRUSTED_PROXIES are believed, so a client cannot pick its own
address with an X-Forwarded-For header, and cannot lock another person out from elsewhere.
"""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db.models import Sum
from django.urls import reverse
from django.utils.crypto import salted_hmac


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


# --- Backoff and known devices -------------------------------------------------------------
#
# Failed logins are counted per (username, client address, device), where the device is only
# "known" (this browser holds a signed cookie from an earlier successful login to that username)
# or unknown. So a guesser elsewhere, or on the same hospital network without that cookie,
# locks only their own bucket: the person keeps logging in from their own computer. Each bucket
# is locked after CLINLEAD_LOGIN_FAILURE_LIMIT failures, for a cool-off that doubles with every
# further failure (base CLINLEAD_LOGIN_COOLOFF_MINUTES, at most CLINLEAD_LOGIN_COOLOFF_MAX_HOURS):
# 5 guesses, then 30 minutes, then 1 hour, 2 hours ... so one address cannot keep guessing.
# Nothing else about the browser is kept (docs/secrecy.md, "Login records").

DEVICE_COOKIE = "clinlead_device"
KNOWN_DEVICE = "known device"
_SALT = "clinlead.accounts.lockout.device"
_DEVICE_MAX_AGE = 365 * 24 * 3600
_DEVICES_KEPT = 10  # a shared ward computer remembers its last ten users


def _tag(username: str) -> str:
    # A keyed hash, so the cookie on a shared computer does not name who used it.
    return salted_hmac(_SALT, username.strip().lower()).hexdigest()[:20]


def _known_tags(request) -> list:
    try:
        tags = signing.loads(request.COOKIES.get(DEVICE_COOKIE, ""), salt=_SALT, max_age=_DEVICE_MAX_AGE)
    except signing.BadSignature:
        return []
    return tags if isinstance(tags, list) else []


def device_for(request, username: str) -> str:
    return KNOWN_DEVICE if username and _tag(username) in _known_tags(request) else ""


def _bucket_failures(request) -> int:
    from axes.helpers import get_client_username
    from axes.models import AccessAttempt

    username = get_client_username(request, getattr(request, "axes_credentials", None))
    total = AccessAttempt.objects.filter(
        username=username, ip_address=getattr(request, "axes_ip_address", None) or client_ip(request),
        user_agent=getattr(request, "axes_user_agent", ""),
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def cool_off(request=None) -> timedelta:
    """How long a locked bucket stays locked: the base, doubled for every failure past the limit."""
    base, longest = settings.CLINLEAD_LOGIN_COOLOFF, settings.CLINLEAD_LOGIN_COOLOFF_MAX
    if request is None:
        return base
    beyond = max(0, _bucket_failures(request) - settings.AXES_FAILURE_LIMIT)
    return min(base * 2 ** min(beyond, 20), longest)


class LoginRecordsMiddleware:
    """Tells the lockout which bucket a login attempt falls in (instead of the browser's own
    description, which is not stored), and gives a browser that logs in its device cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from axes.handlers.proxy import AxesProxyHandler

        AxesProxyHandler.update_request(request)
        username = request.POST.get("username", "") if (
            request.method == "POST" and request.path == reverse("accounts:login")) else ""
        request.axes_user_agent = device_for(request, username)
        request.axes_http_accept = request.axes_path_info = ""
        response = self.get_response(request)
        signed_in = getattr(request, "clinlead_signed_in", None)
        if signed_in:
            tags = [t for t in _known_tags(request) if t != _tag(signed_in)] + [_tag(signed_in)]
            response.set_cookie(DEVICE_COOKIE, signing.dumps(tags[-_DEVICES_KEPT:], salt=_SALT),
                                max_age=_DEVICE_MAX_AGE, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
        return response


def remember_sign_in(sender, request, user, **kwargs):
    if request is not None:
        request.clinlead_signed_in = user.get_username()


def keep_only_what_lockout_needs(sender, instance, **kwargs):
    """A failed-login row keeps the username, address, bucket, count and time: nothing of the
    request itself (query string, form fields, path)."""
    instance.get_data = instance.post_data = instance.http_accept = instance.path_info = ""
