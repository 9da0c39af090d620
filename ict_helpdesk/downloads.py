"""A ticket's file as a download, for the pages and the API alike (on either kind of address)."""

from __future__ import annotations

from django.http import FileResponse, Http404

from shared_platform.attachments import file_download_response

from .models import Ticket
from .selectors import attachments


def attachment_response(*, ticket: Ticket, pk: int, include_internal: bool) -> FileResponse:
    """The file, opened now (while the connection is in the ticket's agency schema); 404 if not on this ticket.

    Internal-note files only when `include_internal` (the facility's side). The headers are the shared ones
    (`shared_platform.attachments.file_download_response`): always a download, never sniffed.
    """
    found = attachments(ticket=ticket, include_internal=include_internal).filter(pk=pk).first()
    if found is None:
        raise Http404("No such file on this ticket.")
    return file_download_response(file=found.file.open("rb"), name=found.name, content_type=found.content_type)
