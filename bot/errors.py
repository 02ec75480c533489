"""One error shape for every HTTP response that fails: {"ok": false, "error", "status"}.

The dashboard's pages are read by people in a browser, so there the same error is a page in Chinese
(web/templates/error.html); /api, /open311 and a dashboard request asking for JSON keep the JSON body.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: "请求格式不对", 401: "需要登录或 API 密钥", 403: "没有权限", 404: "没有这个地址",
    405: "不支持这种请求方法", 413: "请求太大", 415: "内容类型不对", 500: "服务器出错了，已记录，请稍后再试",
    503: "服务器正忙，请稍后再试",
}


class ApiError(Exception):
    """An error a client caused; carries the HTTP status and a sentence for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def error_body(status: int, message: str) -> dict:
    return {"ok": False, "error": message, "status": status}


def _wants_page() -> bool:
    return request.path.startswith("/dashboard") and request.accept_mimetypes.best != "application/json"


def _message(e: HTTPException, status: int) -> str:
    """Our own sentence from ``abort(status, "…")``, else the plain one for the status (never werkzeug's English)."""
    if e.description and e.description != type(e).description:
        return e.description
    return MESSAGES.get(status, e.description or "error")


def _page(status: int, message: str):
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(e: ApiError):
        return jsonify(error_body(e.status, e.message)), e.status

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):
        status = e.code or 500
        if request.path.startswith(("/wechat", "/work-wechat")):
            return MESSAGES.get(status, "error"), status, {"Content-Type": "text/plain; charset=utf-8"}
        if _wants_page():
            return _page(status, _message(e, status))
        return jsonify(error_body(status, MESSAGES.get(status, e.description or "error"))), status

    @app.errorhandler(Exception)
    def _crash(e: Exception):
        log.exception("unhandled error on %s", request.path)
        if _wants_page():
            return _page(500, MESSAGES[500])
        return jsonify(error_body(500, MESSAGES[500])), 500
