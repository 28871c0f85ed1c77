"""PDFs from the same templates as the pages, with WeasyPrint; static files are read from disk,
so a PDF needs no network."""


from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string


def _static_fetcher():
    """WeasyPrint's fetcher (its own class since WeasyPrint 70; the plain function this was
    failed on anything it fetched), reading static files from disk and refusing the network.
    `data:` URLs (a chart drawn for print) are read as they are."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("clinlead-static:"):
                path = finders.find(url.removeprefix("clinlead-static:"))
                if path:
                    with open(path, "rb") as file:
                        return URLFetcherResponse(url, body=file.read())
            if url.startswith(("http://", "https://")):
                raise ValueError("PDFs fetch nothing from the network")
            return super().fetch(url, headers)

    return StaticFetcher(allowed_protocols=["data"])


def render_pdf(*, template: str, context: dict, request=None, tagged: bool = False) -> bytes:
    """`tagged`: a tagged PDF (PDF/UA-1: headings, lists, tables and reading order for screen
    readers; the document's title shown instead of its file name)."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    options = {"pdf_variant": "pdf/ua-1"} if tagged else {}
    document = HTML(string=html, base_url="clinlead-static:", url_fetcher=_static_fetcher())
    return document.write_pdf(**options)


def pdf_response(*, template: str, context: dict, filename: str, request=None,
                 tagged: bool = False) -> HttpResponse:
    pdf = render_pdf(template=template, context=context, request=request, tagged=tagged)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
