from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from blueprints.members import filters, importer, imports, services
from blueprints.members.forms import (
    ImportConfirmForm,
    ImportMappingForm,
    ImportUploadForm,
    MemberForm,
    category_choices,
)
from blueprints.members.models import Member, MemberCategory, MemberImport
from core import exports
from core.access import current_org_id, role_required, scoped_get_or_404
from core.i18n import format_number
from core.roles import Role
from core.templating import register_labels, register_nav
from extensions import db

bp = Blueprint("members", __name__)
# The trades of the demo list and of the sample import file, stored as keys.
register_labels(
    "trade",
    {
        "accounting": _l("Accounting"),
        "construction": _l("Construction"),
        "crafts": _l("Crafts"),
        "food": _l("Food"),
        "market_trader": _l("Market trader"),
        "private_education": _l("Private education"),
        "retail": _l("Retail"),
        "services": _l("Services"),
        "transport": _l("Transport"),
    },
)

register_nav("members.index", _l("Members"), Role.ORGANISER, order=20)
register_labels(
    MemberCategory,
    {
        MemberCategory.MEMBER: _l("Member"),
        MemberCategory.OFFICIAL: _l("Official"),
        MemberCategory.PARTNER: _l("Partner"),
        MemberCategory.PRESS: _l("Press"),
        MemberCategory.GUEST: _l("Guest"),
    },
)


def _filter_from_args() -> services.MemberFilter:
    args = request.args
    return services.MemberFilter(
        query=args.get("q", "")[:200],
        tag=args.get("tag", "")[:40],
        category=args.get("category", "")[:24],
        trade=args.get("trade", "")[:60],
        archived=args.get("archived") == "1",
        sort=args.get("sort", "name")[:20],
    )


@bp.get("/members")
@role_required(Role.ORGANISER)
def index():
    f = _filter_from_args()
    page = services.members_page(
        current_org_id(),
        f,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    tags, trades = filters.filter_lists(current_org_id())
    return render_template(
        "members/index.html",
        page=page,
        f=f,
        tags=tags,
        trades=trades,
        categories=category_choices(),
        sorts=services.SORTS,
    )


@bp.route("/members/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def new():
    form = MemberForm()
    if form.validate_on_submit():
        try:
            member = services.create_member(current_org_id(), form.to_data())
        except services.MemberError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The member was added."), "success")
            return redirect(url_for("members.edit", member_id=member.id))
    return render_template("members/form.html", form=form, member=None)


@bp.route("/members/<int:member_id>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit(member_id: int):
    member = scoped_get_or_404(Member, member_id)
    # A POST is read from what was sent only: a field left out is empty, never the
    # member's stored value of another type (the tag list).
    form = MemberForm(obj=member) if request.method == "GET" else MemberForm()
    if not form.is_submitted():
        form.category.data = member.category.value
        form.tags.data = ", ".join(member.tag_names)
        form.consent.data = member.consent_at is not None
    if form.validate_on_submit():
        try:
            services.update_member(member, form.to_data())
        except services.MemberError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("members.edit", member_id=member.id))
    return render_template("members/form.html", form=form, member=member)


@bp.post("/members/<int:member_id>/archive")
@role_required(Role.ORGANISER)
def archive(member_id: int):
    member = scoped_get_or_404(Member, member_id)
    services.archive(member)
    db.session.commit()
    flash(_("The member was archived. Their invitations and answers are kept."), "success")
    return redirect(url_for("members.index"))


@bp.post("/members/<int:member_id>/restore")
@role_required(Role.ORGANISER)
def restore(member_id: int):
    member = scoped_get_or_404(Member, member_id)
    services.restore(member)
    db.session.commit()
    flash(_("The member is back in the directory."), "success")
    return redirect(url_for("members.edit", member_id=member.id))


@bp.get("/members/export.<fmt>")
@role_required(Role.ORGANISER)
def export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    rows = services.export_rows(current_org_id(), _filter_from_args())
    return exports.send(services.EXPORT_HEADER, rows, fmt, "members", "members")


# --------------------------------------------------------------------------- import


@bp.route("/members/import", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def import_upload():
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload_file = form.file.data
        data = upload_file.read(importer.MAX_BYTES + 1)
        try:
            upload, _table = imports.start_import(
                current_org_id(), upload_file.filename or "", data, current_user.id
            )
        except importer.ImportError_ as error:
            db.session.rollback()
            form.file.errors.append(str(error))
        else:
            db.session.commit()
            return redirect(url_for("members.import_preview", import_id=upload.id))
    return render_template("members/import_upload.html", form=form)


def _pending_import(import_id: int) -> tuple[MemberImport, importer.Table]:
    upload = scoped_get_or_404(MemberImport, import_id)
    if upload.confirmed_at is not None:
        flash(_("This file was already imported."), "info")
        abort(redirect(url_for("members.index")))
    table = imports.pending_table(upload)
    if table is None:
        flash(_("This upload has expired. Upload the file again."), "info")
        abort(redirect(url_for("members.import_upload")))
    return upload, table


@bp.route("/members/import/<int:import_id>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def import_preview(import_id: int):
    upload, table = _pending_import(import_id)
    mapping_form = ImportMappingForm(prefix="map")
    mapping_form.set_columns(table.header, upload.mapping)
    if mapping_form.validate_on_submit():
        imports.set_mapping(upload, mapping_form.mapping(), len(table.header))
        db.session.commit()
        return redirect(url_for("members.import_preview", import_id=upload.id))
    problem = importer.mapping_problem(upload.mapping)
    report = None if problem else imports.import_report(current_org_id(), table, upload.mapping)
    return render_template(
        "members/import_preview.html",
        upload=upload,
        table=table,
        mapping_form=mapping_form,
        confirm_form=ImportConfirmForm(prefix="confirm"),
        problem=problem,
        report=report,
        notes=imports.import_notes(table, upload.mapping, report),
    )


@bp.post("/members/import/<int:import_id>/confirm")
@role_required(Role.ORGANISER)
def import_confirm(import_id: int):
    upload, table = _pending_import(import_id)
    form = ImportConfirmForm(prefix="confirm")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
        return redirect(url_for("members.import_preview", import_id=upload.id))
    try:
        summary = imports.confirm_import(
            upload,
            table,
            update_existing=form.update_existing.data,
            consent_source=_("import of %(file)s", file=upload.filename)[:120],
        )
    except services.MemberError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(url_for("members.import_preview", import_id=upload.id))
    db.session.commit()
    flash(
        _(
            "Import done. Added: %(created)s; updated: %(updated)s; skipped: %(skipped)s; "
            "not imported because of errors: %(invalid)s.",
            **{key: format_number(n) for key, n in summary.items()},
        ),
        "success",
    )
    return redirect(url_for("members.index"))
