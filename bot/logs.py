"""Logs without secrets: every handler's records pass through :class:`Redactor` before they are written.

What is cut: the deployment's own secret values (WeChat token, AppSecret, EncodingAESKey, the API key, the
session key, the admin password...), WeChat's access tokens, and every URL's query string (WeChat signs
callbacks there, its API takes ``access_token=`` there, Open311 takes ``api_key=``). A traceback is redacted
too, since a failed HTTP call names its URL in the exception.
"""

from __future__ import annotations

import logging
import re

from settings import SECRET_ENV, Config

HIDDEN = "[redacted]"
#: A query string: from "?" up to whitespace or a quote; "access_token=..." and "X-Api-Key: ..." anywhere.
_PATTERNS = (
    re.compile(r"(?<=\?)[^\s\"'<>]+"),
    re.compile(r"(?i)((?:access_token|api_key|secret|token|password)[\"']?\s*[=:]\s*[\"']?)[^\s\"'&,}]+"),
    re.compile(r"(?i)(x-api-key[\"']?\s*[=:]\s*[\"']?)[^\s\"',}]+"),
)
#: Words one of which a line must hold (case-folded) for the pattern beside it to match at all.
_MARKS = (("api_key", "secret", "token", "password"), ("x-api-key",))


class Redactor(logging.Filter):
    """Rewrites a record's message (and traceback) with the secrets cut out; never drops a record."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        # Every access-log line passes here: each pattern runs only when its literal part is in the line.
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, HIDDEN)
        if "?" in text:
            text = _PATTERNS[0].sub(HIDDEN, text)
        lowered = text.casefold()        # as wide as the patterns' ignoring of case (ſ, K)
        for pattern, words in zip(_PATTERNS[1:], _MARKS):
            if any(w in lowered for w in words):
                text = pattern.sub(lambda m: m.group(1) + HIDDEN, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string is the logger's problem, not ours
            return True
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def secret_values(config: Config) -> list[str]:
    s = config.settings
    return [getattr(getattr(s, section), key) for section, key in SECRET_ENV]


def redact_logs(config: Config) -> Redactor:
    """Put one :class:`Redactor` on every handler of the root logger and gunicorn's loggers."""
    redactor = Redactor(secret_values(config))
    for name in ("", "gunicorn.error", "gunicorn.access"):
        for handler in logging.getLogger(name).handlers:
            for old in [f for f in handler.filters if isinstance(f, Redactor)]:
                handler.removeFilter(old)
            handler.addFilter(redactor)
    return redactor
