"""The workflow of the earlier Python framework's README, as written there.

Its email resolver reads ``controls.subject``: the controls, never the
payload. The migration and workflow tests both run it unchanged.
"""

from __future__ import annotations

import typing as t

import pydantic

from flask_novu import workflow


class CommentPayload(pydantic.BaseModel):
    comment: str
    post_id: str


class EmailControls(pydantic.BaseModel):
    subject: str = "New Comment"
    include_footer: bool = True


@workflow("comment-notification")
def comment_workflow(payload: CommentPayload, step: t.Any) -> None:
    step.in_app(
        "new-comment",
        {"body": f"New comment: {payload.comment}", "action_url": f"/posts/{payload.post_id}"},
    )
    step.email(
        "comment-email",
        lambda controls: {
            "subject": controls.subject,
            "body": f"You received a new comment: {payload.comment}",
            "footer": "Thanks for using our app!" if controls.include_footer else "",
        },
        controlSchema=EmailControls,
    )
