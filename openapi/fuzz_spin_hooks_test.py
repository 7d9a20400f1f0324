"""openapi/fuzz_spin_hooks.py tolerates Spin's empty 500 to a non-UTF-8 header and nothing else.

Each test runs the pinned schemathesis CLI, with the hooks loaded as scripts/fuzz loads them,
against a fake server on loopback that answers every request the same way, for a one-operation
document whose only header parameter has one possible value. Exactly one combination must pass
(Spin's answer to a non-UTF-8 header value); changing any one of its four parts must fail the
run. scripts/fuzz runs this before fuzzing real Spin:

    .venv/bin/python openapi/fuzz_spin_hooks_test.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOOKS = Path(__file__).resolve().parent / "fuzz_spin_hooks.py"
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"

NON_UTF8 = "\u00ff"  # sent as the single byte 0xFF: obs-text, not UTF-8
UTF8_NON_ASCII = "\u00c3\u00a9"  # sent as C3 A9: the UTF-8 encoding of "é"
ASCII = "ok"


class FakeServer:
    """Answers every request with `status`, `headers` and `body`; records the header bytes."""

    def __init__(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None):
        answer = (status, body, headers or {})
        seen: list[bytes] = []

        class Handler(BaseHTTPRequestHandler):
            def handle_one_request(self):  # every method gets the same answer
                self.raw_requestline = self.rfile.readline(65537)
                if not self.raw_requestline or not self.parse_request():
                    return
                if self.path == "/probe":  # not schemathesis' start-up probes of the server
                    seen.append(self.headers.get("X-Probe", "").encode("latin-1"))
                status, body, headers = answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.seen = seen
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def fuzz(server: FakeServer, header_value: str) -> dict:
    """Runs schemathesis as scripts/fuzz does on Spin (the hooks, the checks about one response)
    against `server`; returns its JSON report."""
    document = {
        "openapi": "3.1.0",
        "info": {"title": "probe", "version": "1"},
        "paths": {
            "/probe": {
                "get": {
                    "parameters": [
                        {
                            "name": "X-Probe",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string", "enum": [header_value]},
                        }
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    with tempfile.TemporaryDirectory() as work:
        schema = Path(work, "openapi.json")
        schema.write_text(json.dumps(document), encoding="utf-8")
        report = Path(work, "report.json")
        env = dict(os.environ, SCHEMATHESIS_HOOKS=str(HOOKS))
        subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                str(schema),
                "--url",
                server.url,
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,"
                "response_headers_conformance,response_schema_conformance",
                "--phases",
                "fuzzing",
                "--mode",
                "positive",
                "--max-examples",
                "3",
                "--seed",
                "1",
                "--generation-database",
                "none",
                "--no-color",
                "--report",
                "json",
                "--report-json-path",
                str(report),
            ],
            cwd=work,  # no schemathesis.toml of the project's
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        return json.loads(report.read_text(encoding="utf-8"))


class ToleratesOnlySpinsEmpty500(unittest.TestCase):
    def run_against(self, header_value: str, status: int, body: bytes = b"", headers=None) -> dict:
        with FakeServer(status, body, headers) as server:
            report = fuzz(server, header_value)
        self.assertTrue(server.seen, "the fake server got no request")
        self.assertEqual({header_value.encode("latin-1")}, set(server.seen))
        return report

    def assert_fails(self, report: dict) -> None:
        self.assertEqual(1, report["exit_code"], report)
        self.assertTrue(report["failures"], report)
        self.assertEqual(0, report["filtered"], report)

    def test_the_empty_500_to_a_non_utf8_header_value_is_tolerated(self):
        report = self.run_against(NON_UTF8, 500)
        self.assertEqual(0, report["exit_code"], report)
        self.assertEqual([], report["failures"])
        self.assertGreater(report["filtered"], 0)

    def test_the_empty_500_to_ascii_headers_fails(self):
        self.assert_fails(self.run_against(ASCII, 500))

    def test_the_empty_500_to_a_utf8_non_ascii_header_value_fails(self):
        self.assert_fails(self.run_against(UTF8_NON_ASCII, 500))

    def test_a_500_with_a_body_fails(self):
        body = b'{"title":"Internal Server Error"}'
        headers = {"Content-Type": "application/problem+json"}
        self.assert_fails(self.run_against(NON_UTF8, 500, body, headers))

    def test_an_empty_500_with_a_correlation_id_fails(self):
        self.assert_fails(self.run_against(NON_UTF8, 500, headers={"X-Correlation-Id": "c-1"}))

    def test_another_empty_5xx_fails(self):
        self.assert_fails(self.run_against(NON_UTF8, 502))


if __name__ == "__main__":
    unittest.main(verbosity=2)
