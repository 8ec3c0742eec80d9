from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from blueprints.auth import reset, services
from blueprints.auth.forms import (
    ChangePasswordForm,
    EditStaffForm,
    ForgotPasswordForm,
    LoginForm,
    NewStaffForm,
    ResetPasswordForm,
)
from blueprints.auth.models import User
from core.access import current_org_id, public_rate_limit, role_required, scoped_get_or_404
from core.roles import Role
from core.templating import register_labels, register_nav
from core.tokens import sha256_hex
from core.urls import safe_next
from extensions import db, limiter

bp = Blueprint("auth", __name__)

register_nav("auth.staff", _l("Staff"), Role.OWNER, order=90)
register_labels("email", {"password_reset": _l("Forgotten password")})
register_labels(
    Role,
    {
        Role.OWNER: _l("Owner"),
        Role.ORGANISER: _l("Organiser"),
        Role.DOOR: _l("Door staff"),
        Role.PARTNER: _l("Partner"),
    },
)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.AccountInactive as refused:
            db.session.commit()  # the failed attempt's audit entry
            form.password.errors.append(str(refused))
            return render_template("auth/login.html", form=form)
        if user is None:
            db.session.commit()  # the failed attempt's audit entry
            form.password.errors.append(_("Wrong email or password."))
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("site.home"))
    return render_template("auth/login.html", form=form)


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


def _reset_email_limit() -> str:
    return current_app.config["RESET_EMAIL_RATE_LIMIT"]


def _asked_email() -> str:
    """The rate-limit key of a "forgotten password" request: the address asked for."""
    return "reset:" + sha256_hex(services.normalise_email(request.form.get("email", ""))[:254])


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_email_limit, methods=["POST"], key_func=_asked_email)
def forgot_password():
    """The same answer for every address: whether it has an account is never said."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        reset.request_reset(form.email.data)
        db.session.commit()
        return render_template("auth/forgot_password.html", form=None, sent=True)
    return render_template("auth/forgot_password.html", form=form, sent=False)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(public_rate_limit)
def reset_password(token: str):
    user = reset.account_for(token)
    if user is None:
        return render_template("auth/reset_password.html", form=None), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        reset.reset_password(user, form.new.data)
        db.session.commit()
        flash(_("Your password was changed. Sign in with it."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        services.end_sessions(current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except services.AccountError as error:
            form.current.errors.append(str(error))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # keep this session only
            flash(_("Your password was changed."), "success")
            return redirect(url_for("site.home"))
    return render_template("auth/change_password.html", form=form)


@bp.get("/staff")
@role_required(Role.OWNER)
def staff():
    return render_template("auth/staff.html", users=services.staff_of(current_org_id()))


@bp.route("/staff/new", methods=["GET", "POST"])
@role_required(Role.OWNER)
def staff_new():
    form = NewStaffForm()
    if form.validate_on_submit():
        try:
            services.create_user(
                organisation_id=current_org_id(),
                email=form.email.data,
                password=form.password.data,
                role=Role(form.role.data),
                full_name=form.full_name.data,
                locale=form.locale.data,
            )
        except services.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The account was created."), "success")
            return redirect(url_for("auth.staff"))
    return render_template("auth/staff_form.html", form=form, user=None)


@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.OWNER)
def staff_edit(user_id: int):
    user = scoped_get_or_404(User, user_id)
    form = EditStaffForm(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
    if form.validate_on_submit():
        try:
            services.update_staff(
                current_user,
                user,
                full_name=form.full_name.data,
                email=form.email.data,
                role=Role(form.role.data),
                locale=form.locale.data,
                active=form.active.data,
                password=form.password.data or None,
            )
        except services.AccountError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The account was saved."), "success")
            return redirect(url_for("auth.staff"))
    return render_template("auth/staff_form.html", form=form, user=user)
