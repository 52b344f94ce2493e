"""Every error as the contract's JSON; nothing unexpected escapes as a bare 500 page."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from ..domain.errors import DomainError
from ..runtime.health import FailureLog
from ..store.database import RETRY_AFTER_S
from ..store.faults import storage_fault
from .keys import METRICS

log = logging.getLogger(__name__)
_storage_failures = FailureLog(log)  # reads that failed for the storage's sake

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
}


def json_error(
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    extra: dict[str, object] | None = None,
) -> web.Response:
    body = {"code": code, "message": message, **(extra or {})}
    return web.json_response({"error": body}, status=status, headers=headers)


@web.middleware
async def count_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count each answer by method, route pattern (never the raw path) and status."""
    response = await handler(request)
    request.app[METRICS].inc(
        "callnext_http_requests_total",
        method=request.method,
        route=_route(request),
        status=str(response.status),
    )
    return response


def _route(request: web.Request) -> str:
    """The request's route pattern: never the raw path, which may hold a ticket's id."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except DomainError as exc:
        return json_error(exc.status, exc.code, exc.message, exc.headers, exc.extra)
    except web.HTTPRequestEntityTooLarge:
        limit = request.app._client_max_size
        return json_error(413, "body_too_large", f"The body is larger than {limit} bytes.")
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = HTTP_CODES.get(exc.status, "http_error")
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return json_error(exc.status, code, exc.reason, headers)
    except Exception as exc:
        reason = storage_fault(exc)
        if reason is None:
            log.exception("unhandled error on %s %s", request.method, request.path)
            return json_error(500, "internal_error", "Something went wrong on the server.")
        _storage_failures.failed(
            exc, "%s %s: the database failed: %s", request.method, _route(request), reason
        )
        return unavailable()


def unavailable() -> web.Response:
    """503 `unavailable`: the storage fails now; the same request may succeed later."""
    return json_error(503, "unavailable", "The server cannot serve this now; try again shortly.",
                      {"Retry-After": str(RETRY_AFTER_S)})  # fmt: skip
