"""schemathesis hooks for scripts/fuzz on real Spin (loaded through SCHEMATHESIS_HOOKS there).

They tolerate one thing, a bug of Spin's HTTP trigger and not of this service: a request with
a header value that is not valid UTF-8 is answered 500 with an empty body before any component
runs (docs/upstream/spin-non-utf8-header.md). A response counts as that and nothing else when
all four hold:

- its status is 500;
- its body is empty (every answer of ours, errors included, has a problem+json body);
- it has no `X-Correlation-Id` (every answer of ours has one, contract §8);
- the request that got it carried a header value whose bytes on the wire are not UTF-8.

Every failure of every check on such a response is dropped (the component never saw the
request, so nothing about the service can be learnt from it); schemathesis counts them as
"filtered" in its summary. Every other response gets every check. The test host passes such
headers to the component as Spin should, so its run does not load these hooks at all.

openapi/fuzz_spin_hooks_test.py shows it tolerates nothing else; scripts/fuzz runs it first.
"""

from __future__ import annotations

from typing import Any

import schemathesis


def wire_bytes(value: Any) -> bytes | None:
    """A header value as http.client puts it on the wire: `str` as Latin-1, `bytes` as they are.

    None for a value it could not send (schemathesis only sends Latin-1 encodable strings).
    """
    if isinstance(value, bytes):
        return value
    try:
        return str(value).encode("latin-1")
    except UnicodeEncodeError:
        return None


def has_non_utf8_header(headers: Any) -> bool:
    """Whether any header value of a sent request is a byte sequence that is not UTF-8."""
    for value in (headers or {}).values():
        raw = wire_bytes(value)
        if raw is None:
            continue
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return True
    return False


def is_spin_non_utf8_rejection(response: Any) -> bool:
    """Whether `response` is Spin's empty 500 to a request with a non-UTF-8 header value."""
    return (
        response.status_code == 500
        and response.content_size == 0
        and not response.content
        and "x-correlation-id" not in {name.lower() for name in response.headers}
        and has_non_utf8_header(response.request.headers)
    )


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    """Keep every failure except those of Spin's empty 500 to a non-UTF-8 header value."""
    return not is_spin_non_utf8_rejection(response)
