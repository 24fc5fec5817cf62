"""A real HTTP server on loopback speaking the NPPES API (version 2.1) as the registry does, quirks included:
errors as HTTP 200 with an `Errors` list, `result_count: 0` for an unknown NPI, and, on request, a 500, a slow
answer or a body that is not JSON. Also the records it serves, in the API's shape."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from directory.npi import NPI_PREFIX, luhn_check_digit


def npi(first_nine: str) -> str:
    """A valid NPI: the nine digits and their check digit."""
    return first_nine + str(luhn_check_digit(NPI_PREFIX + first_nine))


def record(
    number: str,
    *,
    first_name: str = "JANE",
    last_name: str = "SMITH",
    credential: str = "D.C.",
    taxonomy: tuple[str, str] = ("111N00000X", "Chiropractor"),
    licence: tuple[str, str] = ("MA", "DC-4567"),
    address_state: str = "MA",
    status: str = "A",
    deactivation_date: str = "",
    enumeration_type: str = "NPI-1",
    organisation_name: str = "",
) -> dict:
    """One result as the API writes it (trimmed of the parts the desk never reads)."""
    basic = {
        "first_name": first_name,
        "last_name": last_name,
        "middle_name": "Q",
        "credential": credential,
        "sole_proprietor": "YES",
        "gender": "F",
        "enumeration_date": "2011-03-14",
        "last_updated": "2024-02-01",
        "status": status,
    }
    if enumeration_type == "NPI-2":
        basic = {"organization_name": organisation_name, "organizational_subpart": "NO", "status": status}
    if deactivation_date:
        basic["deactivation_date"] = deactivation_date
    address = {
        "country_code": "US",
        "country_name": "United States",
        "address_type": "DOM",
        "address_2": "Suite 200",
        "postal_code": "021081234",
        "telephone_number": "617-555-0123",
    }
    return {
        "created_epoch": "1300060800000",
        "enumeration_type": enumeration_type,
        "last_updated_epoch": "1706745600000",
        "number": number,
        "addresses": [
            {**address, "address_purpose": "MAILING", "address_1": "PO BOX 12", "city": "BOSTON", "state": "MA"},
            {
                **address,
                "address_purpose": "LOCATION",
                "address_1": "1 TREMONT ST",
                "city": "BOSTON",
                "state": address_state,
            },
        ],
        "practiceLocations": [],
        "basic": basic,
        "taxonomies": [
            {
                "code": "207Q00000X",
                "taxonomy_group": "",
                "desc": "Family Medicine",
                "state": "NH",
                "license": "X1",
                "primary": False,
            },
            {
                "code": taxonomy[0],
                "taxonomy_group": "",
                "desc": taxonomy[1],
                "state": licence[0],
                "license": licence[1],
                "primary": True,
            },
        ],
        "identifiers": [],
        "endpoints": [],
        "other_names": [],
    }


class RegistryHandler(BaseHTTPRequestHandler):
    """GET /api/?version=2.1&number=...: the server's `records` by number, as the registry answers them."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        self.server.requests.append({"path": url.path, "query": query})
        time.sleep(self.server.delay)
        if self.server.status != 200:
            self.send_error(self.server.status)
            return
        if self.server.body is not None:
            self.answer(self.server.body)
            return
        if query.get("version") != "2.1":
            self.answer(json.dumps({"Errors": [{"description": "Unsupported Version", "field": "version"}]}))
            return
        found = self.server.records.get(query.get("number", ""))
        results = [] if found is None else [found]
        self.answer(json.dumps({"result_count": len(results), "results": results}))

    def answer(self, text: str) -> None:
        body = text.encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting, as a timing-out client does

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def registry_server(settings) -> Iterator[ThreadingHTTPServer]:
    """The server, with NPPES_API_URL pointing at it and a one-second timeout.

    Set `.records` ({npi: record(...)}), `.delay` (seconds), `.status` (an HTTP error) or `.body` (the text of
    every answer, as given); read `.requests`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), RegistryHandler)
    server.records, server.delay, server.status, server.body, server.requests = {}, 0.0, 200, None, []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.NPPES_API_URL = f"http://127.0.0.1:{server.server_port}/api/"
    settings.NPPES_TIMEOUT_SECONDS = 1
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
