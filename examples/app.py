"""A complete Flask-Novu bridge, built with an app factory.

Run it (it prints the bridge URL)::

    python examples/app.py            # PORT=4000 by default
    curl 'http://127.0.0.1:4000/api/novu?action=discover'

then point Novu at it with ``npx novu@latest dev --port 4000``.
"""

from __future__ import annotations

import asyncio
import os
import typing as t

from flask import Flask, jsonify
from marshmallow import Schema, fields, validate

from flask_novu import Novu

novu = Novu()


class OrderPayload(Schema):
    """What the application sends when it triggers ``order-shipped``."""

    order_id = fields.String(required=True, data_key="orderId")
    customer = fields.String(required=True)
    items = fields.List(fields.String(), load_default=list)
    carrier = fields.String(load_default="UPS", validate=validate.OneOf(["UPS", "DHL", "FedEx"]))


class EmailControls(Schema):
    """Controls the Novu dashboard may edit (Liquid allowed)."""

    subject = fields.String(load_default="Your order {{payload.orderId}} has shipped")
    greeting = fields.String(load_default="Hello {{payload.customer}}")


class EstimateOutput(Schema):
    """The outputs (and result) of the custom ``estimate`` step."""

    days = fields.Integer(required=True)
    label = fields.String(required=True)


async def lookup_delivery_days(carrier: str) -> int:
    """Stands in for an I/O-bound call (a carrier API, a database...)."""
    await asyncio.sleep(0)
    return {"UPS": 3, "DHL": 2, "FedEx": 1}.get(carrier, 5)


@novu.workflow(
    "order-shipped",
    payload_schema=OrderPayload,
    name="Order shipped",
    description="Estimate the delivery, then tell the customer in-app and by email",
    tags=["orders"],
)
def order_shipped(payload: dict[str, t.Any], step: t.Any) -> None:
    async def estimate() -> dict[str, t.Any]:
        days = await lookup_delivery_days(payload["carrier"])
        return {"days": days, "label": f"{days} day{'s' if days != 1 else ''}"}

    eta = step.custom("estimate", estimate, output_schema=EstimateOutput)

    step.in_app(
        "inbox",
        lambda: {
            "subject": f"Order {payload['order_id']} shipped",
            "body": f"Arriving in {eta['label']} with {payload['carrier']}.",
        },
    )

    def email(controls: dict[str, t.Any]) -> dict[str, t.Any]:
        items = "".join(f"<li>{item}</li>" for item in payload["items"])
        return {
            "subject": controls["subject"],
            "body": f"<p>{controls['greeting']},</p><p>Arriving in {eta['label']}.</p>"
            f"<ul>{items}</ul>",
        }

    step.email("email", email, control_schema=EmailControls)


def create_app(config: t.Mapping[str, t.Any] | None = None) -> Flask:
    """Build the example app; ``config`` overrides the defaults."""
    app = Flask(__name__)
    app.config.from_mapping(
        # Without a key the bridge accepts unsigned requests (and says so in the log).
        NOVU_SECRET_KEY=os.environ.get("NOVU_SECRET_KEY"),
        NOVU_BRIDGE_URL=os.environ.get("NOVU_BRIDGE_URL"),
    )
    if config:
        app.config.from_mapping(config)
    novu.init_app(app)

    @app.get("/")
    def index() -> t.Any:
        return jsonify(bridge=app.config["NOVU_ROUTE"])

    return app


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "4000"))
    application = create_app()
    print(f"Novu bridge on http://127.0.0.1:{port}{application.config['NOVU_ROUTE']}")
    application.run(host="127.0.0.1", port=port)
