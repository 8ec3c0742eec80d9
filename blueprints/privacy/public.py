"""The member's own page, /my-data: ask for a link, open it, see, correct, withdraw, erase.

Opening a one-time link remembers the member in the session for one hour; the page and
its forms act on that member only.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from limits import parse

from blueprints.members.models import Member
from blueprints.privacy import erasure, mydata
from blueprints.privacy.forms import ActionForm, AskLinkForm, CorrectForm
from blueprints.privacy.routes import bp
from core.access import public_rate_limit
from core.db import utcnow
from core.i18n import use_person_language
from core.links import LinkKind, LinkProblem, link_problem
from extensions import db, limiter

SESSION_KEY = "my_data"
SESSION_SECONDS = 3600
ASK_LIMIT = "5 per hour"  # per client address
EMAIL_LIMIT = "3 per hour"  # per email address, whoever asks (behind a proxy: any address)


def _member() -> Member:
    """The member whose link was opened in this session; else a 403 with the page that
    says the link's hour is over and offers a new one."""
    held = session.get(SESSION_KEY)
    if not isinstance(held, dict) or held.get("until", 0) < time.time():
        abort(_link_expired())
    member = db.session.get(Member, held.get("member_id"))
    if member is None or member.erased_at is not None:
        session.pop(SESSION_KEY, None)
        abort(_link_expired())
    use_person_language(member.locale)
    return member


def _within_email_limit(email: str) -> bool:
    """At most EMAIL_LIMIT links to one address, counted under a keyed hash of it (the
    rate-limit storage, Redis included, never holds the address)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    address = (email or "").strip().lower().encode()
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else str(secret).encode()
    key = "my-data-email/" + hmac.new(secret, address, hashlib.sha256).hexdigest()
    return limiter.limiter.hit(parse(EMAIL_LIMIT), key)


def _link_expired():
    page, _gone = link_problem(
        LinkKind.MY_DATA, LinkProblem.EXPIRED, retry_url=url_for("privacy.ask")
    )
    return make_response(page, 403)


@bp.route("/my-data", methods=["GET", "POST"])
@limiter.limit(public_rate_limit)
@limiter.limit(ASK_LIMIT, methods=["POST"])
def ask():
    form = AskLinkForm()
    if form.validate_on_submit():
        if _within_email_limit(form.email.data):
            mydata.send_links(form.email.data)
            db.session.commit()
        # The same answer for any address, known or not, limited or not.
        return render_template("privacy/asked.html")
    return render_template("privacy/ask.html", form=form)


@bp.get("/my-data/open/<token>")
@limiter.limit(public_rate_limit)
def open_link(token: str):
    member = mydata.open_link(token)
    if member is None:
        db.session.rollback()
        problem = LinkProblem(mydata.why_closed(token))
        return link_problem(LinkKind.MY_DATA, problem, retry_url=url_for("privacy.ask"))
    db.session.commit()
    session[SESSION_KEY] = {"member_id": member.id, "until": time.time() + SESSION_SECONDS}
    return redirect(url_for("privacy.mine"))


def _page(member: Member, form: CorrectForm):
    return render_template(
        "privacy/mine.html",
        member=member,
        organisation=mydata.organisation_of(member.organisation_id),
        held=mydata.everything_about(member),
        form=form,
    )


@bp.get("/my-data/me")
@limiter.limit(public_rate_limit)
def mine():
    member = _member()
    return _page(member, CorrectForm(obj=member))


@bp.get("/my-data/me.json")
@limiter.limit(public_rate_limit)
def mine_json():
    response = jsonify(mydata.everything_about(_member()))
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@bp.get("/my-data/me.html")
@limiter.limit(public_rate_limit)
def mine_html():
    """The readable copy: one self-contained HTML file, printable to PDF by any browser."""
    member = _member()
    response = make_response(
        render_template(
            "privacy/mine_download.html",
            organisation=mydata.organisation_of(member.organisation_id),
            held=mydata.everything_about(member),
            made_at=utcnow(),
        )
    )
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.html"'
    return response


@bp.post("/my-data/me/correct")
@limiter.limit(public_rate_limit)
def correct():
    member = _member()
    form = CorrectForm()
    if not form.validate_on_submit():
        return _page(member, form), 400
    try:
        mydata.correct(member, full_name=form.full_name.data.strip(),
                       company=(form.company.data or "").strip(),
                       phone=form.phone_value(), locale=form.locale.data)  # fmt: skip
    except mydata.MyDataError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Your details were corrected."), "success")
    return redirect(url_for("privacy.mine"))


@bp.post("/my-data/me/withdraw")
@limiter.limit(public_rate_limit)
def withdraw():
    member = _member()
    if not ActionForm().validate_on_submit():
        abort(400)
    mydata.withdraw_consent(member)
    db.session.commit()
    flash(_("Your consent is withdrawn: you will receive no more invitations."), "success")
    return redirect(url_for("privacy.mine"))


@bp.post("/my-data/me/erase")
@limiter.limit(public_rate_limit)
def ask_erasure():
    member = _member()
    if not ActionForm().validate_on_submit():
        abort(400)
    erasure.request_erasure(member)
    db.session.commit()
    flash(_("Your request is recorded. An organiser will confirm the erasure."), "success")
    return redirect(url_for("privacy.mine"))
