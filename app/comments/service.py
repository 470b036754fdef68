import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from app.access_log.service import attributed_to, author_view
from app.accounts.models import User
from app.comments.models import Comment
from app.comments.schemas import CommentCreate
from app.core import clock
from app.core.errors import Problem
from app.plans.models import Plan
from app.sharing.grants import Grant, log_read_through_share
from app.sharing.words import titles


def _comment_view(comment: Comment, section_titles: dict[str, str], replies=()) -> dict[str, Any]:
    return {
        "id": comment.id,
        "section": {"key": comment.section_key, "title": section_titles.get(comment.section_key)},
        "text": comment.text,
        "written_by": author_view(comment),
        "by_plan_owner": comment.author_id == comment.owner_id,
        "created_at": clock.isoformat(comment.created_at),
        "replies": [_comment_view(r, section_titles) for r in replies],
    }


def _threads(comments: list[Comment], section_titles: dict[str, str]) -> list[dict[str, Any]]:
    replies: dict[uuid.UUID, list[Comment]] = {}
    for comment in comments:
        if comment.reply_to_id:
            replies.setdefault(comment.reply_to_id, []).append(comment)
    return [
        _comment_view(c, section_titles, replies.get(c.id, ()))
        for c in comments
        if not c.reply_to_id
    ]


def add_comment(session: Session, user: User, grant: Grant, body: CommentCreate) -> dict:
    if not body.acknowledged_visible_to_person:
        raise Problem(
            422,
            f"Your comment was not saved. {grant.owner_name} will read every comment, with "
            "your name and role: send acknowledged_visible_to_person: true to confirm.",
        )
    section = grant.section(body.section)
    comment = Comment(
        plan_id=grant.plan.id,
        owner_id=grant.plan.owner_id,
        share_id=grant.share.id,
        section_key=section["key"],
        text=body.text,
        **attributed_to(user),
    )
    session.add(comment)
    session.commit()
    return _comment_view(comment, {section["key"]: section["title"]})


def grantee_comments(session: Session, user: User, grant: Grant) -> list[dict[str, Any]]:
    """Their own comments on sections still shared, with the person's replies; logged."""
    shown = {s["key"]: s["title"] for s in grant.shown()}
    mine = (
        select(Comment.id)
        .where(Comment.share_id == grant.share.id, Comment.reply_to_id.is_(None))
        .where(Comment.section_key.in_(list(shown)))
    )
    comments = list(
        session.execute(
            select(Comment)
            .where(or_(Comment.id.in_(mine), Comment.reply_to_id.in_(mine)))
            .order_by(Comment.created_at, Comment.id)
        ).scalars()
    )
    keys = list(dict.fromkeys(c.section_key for c in comments))
    sections = [{"key": k, "title": shown[k]} for k in keys]
    log_read_through_share(
        session,
        grant,
        user,
        "read_comments",
        sections,
        f"read their comments and your replies on {titles(sections)}."
        if comments
        else "looked for their comments; there were none.",
    )
    session.commit()
    return _threads(comments, shown)


def _plan_titles(plan: Plan) -> dict[str, str]:
    return {s["key"]: s["title"] for s in plan.outline}


def owner_comments(session: Session, plan: Plan) -> list[dict[str, Any]]:
    comments = list(
        session.execute(
            select(Comment)
            .where(Comment.plan_id == plan.id)
            .order_by(Comment.created_at, Comment.id)
        ).scalars()
    )
    return _threads(comments, _plan_titles(plan))


def _plan_comment(session: Session, plan: Plan, comment_id: uuid.UUID) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None or comment.plan_id != plan.id:
        raise Problem(404, "There is no comment with this id on this plan.")
    return comment


def reply(session: Session, owner: User, plan: Plan, comment_id: uuid.UUID, text: str) -> dict:
    comment = _plan_comment(session, plan, comment_id)
    thread = session.get(Comment, comment.reply_to_id) if comment.reply_to_id else comment
    answer = Comment(
        plan_id=plan.id,
        owner_id=plan.owner_id,
        share_id=thread.share_id,
        reply_to_id=thread.id,
        section_key=thread.section_key,
        text=text,
        **attributed_to(owner),
    )
    session.add(answer)
    session.commit()
    return _comment_view(answer, _plan_titles(plan))


def delete_comment(session: Session, plan: Plan, comment_id: uuid.UUID) -> None:
    session.delete(_plan_comment(session, plan, comment_id))
    session.commit()
