"""Requests whose declared charset is no text encoding, refused before Django builds the request.

Django reads a request's charset as it builds it and, for a codec that exists but does not decode text
("charset=zlib", "charset=base64"), decodes the query string with it right there: a LookupError raised before
any middleware runs, so a 500 that no handler can turn into a 400 (directory.middleware.MalformedRequestMiddleware
refuses the other unreadable requests)."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable
from email.message import Message

REFUSAL = b"The request declares a charset that is not a text encoding.\n"


def declared_charset(content_type: str) -> str:
    message = Message()
    message["content-type"] = content_type
    return message.get_content_charset() or ""


def is_text_encoding(charset: str) -> bool:
    try:
        return codecs.lookup(charset)._is_text_encoding
    except LookupError:
        return True  # unknown: Django ignores it and reads the body as UTF-8


def refusing_unreadable_charsets(application: Callable) -> Callable:
    """The WSGI application, answering 400 itself to a request whose charset is no text encoding."""

    def guarded(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not is_text_encoding(declared_charset(environ.get("CONTENT_TYPE", ""))):
            start_response(
                "400 Bad Request",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(REFUSAL)))],
            )
            return [REFUSAL]
        return application(environ, start_response)

    return guarded
