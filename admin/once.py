"""One-time tokens on the admin's state-changing forms (bot/core/form_tokens.py says why).

A template puts `{{ once_field() }}` in each such form, next to its CSRF token; the view is
decorated with `one_time(...)` under `requires(...)`, and spends the token as the first write of
the unit of work that does what the form asks: `spend_form(session)` in a view's own session,
or `once=form_submission()` passed to the bot.core call that owns it.

The decorator answers everything that is not a first submission, so views need not:
- a missing, malformed or expired token: 400, the view's own page with what was typed kept
  (`refused`), or a plain page saying nothing was done;
- the same form sent again (a double-click, a replay, two posts racing): `replayed`, which
  answers as the first did, or points at what it made, and does nothing again;
- the same token with different fields (a page brought back and edited): 409, as refused.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from admin.auth import current_user, services
from admin.i18n import translate
from bot.core.form_tokens import (
    CHANGED,
    AlreadySubmittedError,
    Earlier,
    FormTokenError,
    FormTokens,
    Spending,
    Submission,
    find_earlier,
    spend,
)
from bot.store.db import UnitOfWork

#: What a form sent again gets: called with what the first did and the view's arguments.
Replayed = Callable[..., ResponseReturnValue]
#: The view's page re-drawn with what was typed and this message: called with the message and
#: the view's arguments. Its status is set to 400 (409 for a changed form) here.
Refused = Callable[..., ResponseReturnValue]


def form_tokens() -> FormTokens:
    return FormTokens(str(current_app.secret_key), services().clock)


def once_field() -> Markup:
    """The hidden input carrying a new token for the signed-in user (a Jinja global)."""
    user = current_user()
    if user is None or user.id is None:
        return Markup("")
    token = form_tokens().issue(user.id)
    return Markup('<input type="hidden" name="once" value="{}">').format(token)


def form_submission() -> Submission:
    """The checked submission of the form being handled (set by `one_time`)."""
    submission: Submission = g.form_submission
    return submission


def spend_form(session: UnitOfWork) -> Spending:
    """Spend this form's token in `session`, before anything else is written there."""
    return spend(session, form_submission(), services().clock())


def one_time(
    replayed: Replayed, refused: Refused | None = None
) -> Callable[[Callable[..., ResponseReturnValue]], Callable[..., ResponseReturnValue]]:
    """Let the view run only for the first submission of a form with a good token."""

    def decorate(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
        @wraps(view)
        def checked(**kwargs: Any) -> ResponseReturnValue:
            if request.method != "POST":  # a view that also shows its page: GET changes nothing
                return view(**kwargs)
            user = current_user()
            assert user is not None  # requires(...) runs first
            assert user.id is not None
            try:
                submission = form_tokens().check(
                    request.form.get("once"),
                    user_id=user.id,
                    action=str(request.endpoint),
                    fields=request.form.items(multi=True),
                )
            except FormTokenError as problem:
                return _refuse(refused, str(problem), 400, kwargs)
            with services().db.session() as session:
                earlier = find_earlier(session, submission)
            if earlier is None:
                g.form_submission = submission
                try:
                    return view(**kwargs)
                except AlreadySubmittedError as raced:
                    earlier = raced.earlier
            return _answer_again(earlier, replayed, refused, kwargs)

        return checked

    return decorate


def already_done(endpoint: str) -> Replayed:
    """A replay answered by going to the page `endpoint` with a note that it was done."""

    def replayed(_earlier: Earlier, **_kwargs: Any) -> ResponseReturnValue:
        flash(translate("This change was already made."), "success")
        return redirect(url_for(endpoint))

    return replayed


def _answer_again(
    earlier: Earlier, replayed: Replayed, refused: Refused | None, kwargs: dict[str, Any]
) -> ResponseReturnValue:
    if earlier.same:
        return replayed(earlier, **kwargs)
    return _refuse(refused, CHANGED, 409, kwargs)


def _refuse(
    refused: Refused | None, message: str, status: int, kwargs: dict[str, Any]
) -> ResponseReturnValue:
    text = translate(message)
    if refused is None:
        page = render_template("admin/refused.html", title=translate("Nothing was done"), text=text)
        return page, status
    response = make_response(refused(text, **kwargs))
    response.status_code = status
    return response
