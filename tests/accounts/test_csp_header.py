"""The Content-Security-Policy header built once per process is the header django-csp builds."""

from csp.constants import HEADER
from csp.decorators import csp_update
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from clinlead.accounts.csp_header import CSPMiddleware


def headers(middleware_class, view, path="/survey/thank-you/"):
    request = RequestFactory().get(path)
    middleware = middleware_class(view)
    middleware.process_request(request)
    return middleware.process_response(request, view(request))


def page(request):
    return HttpResponse("<p>page</p>")


@csp_update({"img-src": ["https://images.example"]})
def page_with_its_own_policy(request):
    return HttpResponse("<p>page</p>")


def test_a_page_gets_the_header_django_csp_builds():
    assert headers(CSPMiddleware, page)[HEADER] == headers(DjangoCSPMiddleware, page)[HEADER]
    assert "default-src 'self'" in headers(CSPMiddleware, page)[HEADER]


def test_a_page_that_changes_its_policy_keeps_its_change():
    header = headers(CSPMiddleware, page_with_its_own_policy)[HEADER]
    assert header == headers(DjangoCSPMiddleware, page_with_its_own_policy)[HEADER]
    assert "https://images.example" in header


def test_changed_settings_change_the_header():
    headers(CSPMiddleware, page)  # built and kept
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert headers(CSPMiddleware, page)[HEADER] == "default-src 'none'"
    assert "default-src 'self'" in headers(CSPMiddleware, page)[HEADER]


def test_the_header_is_built_once_for_any_number_of_pages(monkeypatch):
    from clinlead.accounts import csp_header

    built = []

    def build_policy(**kwargs):
        built.append(kwargs)
        return "default-src 'self'"

    monkeypatch.setattr(csp_header, "_built", {})
    monkeypatch.setattr(csp_header, "build_policy", build_policy)
    for _ in range(3):
        assert headers(CSPMiddleware, page)[HEADER] == "default-src 'self'"
    assert len(built) == 2  # the policy and the report-only policy (empty here), once each
