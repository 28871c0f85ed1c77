"""django-csp's middleware, with the header built once per process.

django-csp builds the Content-Security-Policy header from the settings on every response (a tenth
of the CPU of the busiest request, a survey answer). The header depends only on the settings
unless a view changes it for its response (django-csp's decorators) or a page asks for a nonce:
those responses go through django-csp as before; every other response gets the header built once,
and built again when a test changes the settings.
"""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed

# What a view or a page sets to change its own response's header (csp.decorators, csp_nonce).
_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro",
                 "_csp_replace_ro")
_HEADERS = ((HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"))
_built = {}


def _header(report_only):
    if report_only not in _built:
        _built[report_only] = build_policy(report_only=report_only)
    return _built[report_only]


def _forget(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _built.clear()


setting_changed.connect(_forget)


class CSPMiddleware(DjangoCSPMiddleware):
    def process_response(self, request, response):
        if (getattr(request, "_csp_nonce", None) is not None
                or any(getattr(response, name, None) is not None for name in _PER_RESPONSE)):
            return super().process_response(request, response)
        # The rest is django-csp's own process_response with its policies already built.
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for header, report_only, exempt, setting in _HEADERS:
            policy = _header(report_only)
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if (policy and header not in response and getattr(response, exempt, False) is False
                    and not request.path_info.startswith(tuple(prefixes))):
                response[header] = policy
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
