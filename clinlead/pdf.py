"""PDFs from the same templates as the pages, with WeasyPrint; static files are read from disk,
so a PDF needs no network."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string


def _static_fetcher(url, *args, **kwargs):
    from weasyprint.urls import URLFetcher  # WeasyPrint 70 has no default_url_fetcher

    if url.startswith("clinlead-static:"):
        path = finders.find(url.removeprefix("clinlead-static:"))
        if path:
            url = Path(path).as_uri()
    if url.startswith(("http://", "https://")):
        raise ValueError("PDFs fetch nothing from the network")
    return URLFetcher()(url)


# WeasyPrint asks a fetcher whether a failure should stop the PDF; a missing image should not.
_static_fetcher._fail_on_errors = False


def render_pdf(*, template: str, context: dict, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url="clinlead-static:", url_fetcher=_static_fetcher).write_pdf()


def pdf_response(*, template: str, context: dict, filename: str, request=None) -> HttpResponse:
    response = HttpResponse(render_pdf(template=template, context=context, request=request),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
