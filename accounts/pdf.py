"""Pages as PDF files to download, made with WeasyPrint from the page's own template.

Every printable page (the formulation summary, the case summary) renders its HTML template
with ``as_pdf`` in the context and hands it to `pdf_response`. The print style sheets apply
(WeasyPrint renders for print), so the PDF looks like the page on paper: content only.
"""

import logging
import mimetypes
import re

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.template.loader import render_to_string


def static_files_fetcher(static_url: str):
    """A WeasyPrint URL fetcher that reads the service's static files from disk, only.

    The PDF is made without any HTTP request, so it works offline, in tests and behind a
    proxy; any other URL is refused (WeasyPrint then leaves that resource out). WeasyPrint
    is imported here, when a PDF is made, rather than whenever the views are loaded.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(static_url):
                raise ValueError(f"not a static file: {url}")
            name = url.removeprefix(static_url).split("?")[0].split("#")[0]
            if ".." in name.split("/"):
                raise ValueError(f"not a static file: {url}")
            path = finders.find(name)
            if path:
                with open(path, "rb") as file:
                    body = file.read()
            elif staticfiles_storage.exists(name):  # collected (fingerprinted) files
                with staticfiles_storage.open(name) as file:
                    body = file.read()
            else:
                raise ValueError(f"no such static file: {name}")
            mime_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": mime_type})

    return StaticFilesFetcher()


def render_pdf(request, template: str, context: dict):
    """The page `template` as WeasyPrint's laid-out document (``as_pdf`` set in its context).

    `.write_pdf()` gives the file; `.pages` the page count, for tests of the layout.
    """
    html = render_to_string(template, {**context, "as_pdf": True}, request=request)
    base_url = request.build_absolute_uri("/")
    static_url = request.build_absolute_uri(settings.STATIC_URL)
    import weasyprint

    # GOV.UK Frontend's style sheet has browser-only rules that WeasyPrint skips with a
    # warning each; they are expected, so only errors are worth logging.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return weasyprint.HTML(
        string=html, base_url=base_url, url_fetcher=static_files_fetcher(static_url)
    ).render()


def pdf_response(request, template: str, context: dict, *, filename: str) -> HttpResponse:
    """The page `template` as a PDF download named `filename`."""
    response = HttpResponse(
        render_pdf(request, template, context).write_pdf(), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def filename_part(text: str) -> str:
    """`text` (a reference, say) made safe for a file name: letters, digits, - and _."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")
