"""NHS.UK pages with an error start their title with "Error: ", so a screen reader says it first.

A page has an error when it shows an error summary: a form's (`includes/error_summary.html`), an
error message (`includes/messages.html`) or a file's problems. The title is written before the
page's content, so this one middleware, rather than every view, adds the prefix after rendering.
"""

import re

SUMMARY = b'class="nhsuk-error-summary"'
TITLE = re.compile(rb"<title>(?!Error: )")


class ErrorTitleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (not response.streaming and response.get("Content-Type", "").startswith("text/html")
                and SUMMARY in response.content):
            response.content = TITLE.sub(b"<title>Error: ", response.content, count=1)
        return response
