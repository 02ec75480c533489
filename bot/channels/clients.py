"""wechatpy API clients with the API base from config, the token in SQLite, and bounded token refresh.

wechatpy's own clients fetch the token from a fixed host and retry an expired token without limit;
these fetch from the configured base and refresh at most ``retries`` times per call.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, TypeVar

import requests
from wechatpy import WeChatClient
from wechatpy.enterprise import WeChatClient as WorkWeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.channels.tokens import SQLiteStorage
from dispatch.mutex import holding
from settings import WeChatSettings, WorkWeChatSettings

log = logging.getLogger(__name__)

#: 40001 invalid credential, 40014 invalid token, 42001 token expired: fetch a new token and try again.
TOKEN_ERRORS = (40001, 40014, 42001)
TIMEOUT_SECONDS = 5

T = TypeVar("T")


class TokenMixin:
    """Shared by both clients: token from the store, fetched from the configured base, bounded retries."""

    API_BASE_URL: str
    retries: int
    session: SQLiteStorage
    _http: requests.Session
    timeout: float

    TOKEN_ENDPOINT = "token"

    def token_params(self) -> dict[str, str]:
        raise NotImplementedError

    @property
    def access_token(self) -> str:
        token = self.session.get(self.access_token_key)
        if token:
            return token
        # One process fetches at a time (a fetch invalidates the token before it); the others wait, then read it.
        with holding(self.session.db_path, "wechat-token"):
            token = self.session.get(self.access_token_key)
            if not token:
                self.fetch_access_token()
                token = self.session.get(self.access_token_key)
        return token

    def fetch_access_token(self) -> dict[str, Any]:
        log.info("fetching a WeChat access token from %s", self.API_BASE_URL)
        res = self._http.get(self.API_BASE_URL + self.TOKEN_ENDPOINT, params=self.token_params(),
                             timeout=self.timeout)
        try:
            res.raise_for_status()
            result = res.json()
        except (requests.RequestException, ValueError) as e:
            raise WeChatClientException(None, f"token endpoint failed: {e}", client=self, response=res)
        if result.get("errcode"):
            raise WeChatClientException(result["errcode"], result.get("errmsg", ""), client=self, response=res)
        self.session.set(self.access_token_key, result["access_token"], int(result.get("expires_in", 7200)))
        return result

    def call(self, fn: Callable[[], T]) -> T:
        """Run one API call; on an expired or invalid token, fetch a new one, at most ``retries`` times."""
        for attempt in range(self.retries + 1):
            used = self.access_token   # the token fn is about to send (fetched now if there is none)
            try:
                return fn()
            except WeChatClientException as e:
                if e.errcode not in TOKEN_ERRORS or attempt == self.retries:
                    raise
                log.info("WeChat said %s (%s); fetching a new token", e.errcode, e.errmsg)
                self.session.invalidate(self.access_token_key, used)
        raise AssertionError("unreachable")


class OfficialAccountClient(TokenMixin, WeChatClient):
    def __init__(self, settings: WeChatSettings, db_path: str | Path) -> None:
        super().__init__(settings.app_id, settings.app_secret, session=SQLiteStorage(db_path),
                         timeout=TIMEOUT_SECONDS, auto_retry=False)
        self.API_BASE_URL = settings.api_base_url
        self.retries = settings.token_refresh_retries

    def token_params(self) -> dict[str, str]:
        return {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}


class WorkClient(TokenMixin, WorkWeChatClient):
    TOKEN_ENDPOINT = "gettoken"

    def __init__(self, settings: WorkWeChatSettings, db_path: str | Path, retries: int) -> None:
        super().__init__(settings.corp_id, settings.secret, session=SQLiteStorage(db_path),
                         timeout=TIMEOUT_SECONDS, auto_retry=False)
        self.API_BASE_URL = settings.api_base_url
        self.retries = retries

    def token_params(self) -> dict[str, str]:
        return {"corpid": self.corp_id, "corpsecret": self.secret}
