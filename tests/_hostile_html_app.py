"""The bridge app of ``_bridge_apps`` plus a route answering the worker's
process id, for servers started in a subprocess (gunicorn)."""

from __future__ import annotations

import os
import typing as t

from flask import Flask, jsonify

from _bridge_apps import make_app as make_bridge_app


def make_app() -> Flask:
    app = make_bridge_app()

    @app.get("/pid")
    def pid() -> t.Any:
        return jsonify(pid=os.getpid())

    return app
