"""The OpenAI key and what an API failure tells the user, for fine-tuning and classifying alike.

The key comes from OPENAI_API_KEY only and is never logged; every API failure becomes a
`UserError` that says what to do (no key, no traceback). Kept apart from the calls so that the
job (openai_backend.py, openai_fine_tune.py) and the classifier (openai_classify.py) word
failures one way.
"""

from __future__ import annotations

import os

import openai

from ..errors import UserError
from ..i18n import Field, keyed

KEY_ENV = "OPENAI_API_KEY"


def api_key() -> str:
    key = os.environ.get(KEY_ENV, "").strip()
    if not key:
        raise UserError.said("openai.no_key", env=KEY_ENV)
    return key


def friendly_error(exc: openai.OpenAIError, base_url: str | None) -> UserError:
    """A user-facing explanation of an API failure (no key, no traceback)."""
    where: Field = base_url or keyed("openai.api")
    if isinstance(exc, openai.AuthenticationError):
        return UserError.said("openai.401", where=where, env=KEY_ENV)
    if isinstance(exc, openai.PermissionDeniedError):
        return UserError.said("openai.403", where=where, reason=_api_message(exc))
    if isinstance(exc, openai.RateLimitError):
        return UserError.said("openai.rate_limit", reason=_api_message(exc))
    if isinstance(exc, openai.APITimeoutError):
        return UserError.said("openai.timeout", where=where)
    if isinstance(exc, openai.APIConnectionError):
        return UserError.said("openai.unreachable", where=where)
    if isinstance(exc, openai.APIStatusError):
        return UserError.said("openai.status", code=exc.status_code, reason=_api_message(exc))
    return UserError.said("openai.failed", kind=type(exc).__name__)


def _api_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])[:300]
    return str(exc.message)[:300]
