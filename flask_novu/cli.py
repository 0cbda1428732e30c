"""``flask novu ...`` commands.

.. versionadded:: 0.1
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

novu_cli = AppGroup("novu", help="Novu bridge commands.")


@novu_cli.command("list")
def list_workflows() -> None:
    """List the served workflows and their steps."""
    extension = current_app.extensions.get("novu")
    if extension is None:
        raise click.ClickException("Novu is not initialised on this app (call Novu.init_app)")
    bridge = extension.get_bridge(current_app)
    for workflow in bridge.workflows.values():
        click.echo(workflow.workflow_id)
        for step in workflow.steps:
            click.echo(f"  {step.step_id}  {step.type}")
