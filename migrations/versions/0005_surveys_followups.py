"""surveys and follow-ups (issue 6)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 21:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False, comment="one per event"),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "open",
                "closed",
                name="survey_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("anonymous", sa.Boolean(), nullable=False, comment="who answered kept apart"),
        sa.Column(
            "delay_hours", sa.Integer(), nullable=False, comment="sent this long after the end"
        ),
        sa.Column("reminder_days", sa.Integer(), nullable=False, comment="0: no reminder"),
        sa.Column("title_ar", sa.String(length=200), nullable=False),
        sa.Column("title_fr", sa.String(length=200), nullable=False),
        sa.Column("intro_ar", sa.Text(), nullable=False),
        sa.Column("intro_fr", sa.Text(), nullable=False),
        sa.Column(
            "send_now_at", sa.DateTime(), nullable=True, comment="the organiser sent it early"
        ),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.Column("updated_at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.CheckConstraint(
            "delay_hours >= 0 AND delay_hours <= 720", name=op.f("ck_survey_delay_range")
        ),
        sa.CheckConstraint(
            "reminder_days >= 0 AND reminder_days <= 60", name=op.f("ck_survey_reminder_range")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_survey_event_id_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_survey_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey")),
        sa.UniqueConstraint("event_id", name=op.f("uq_survey_event_id")),
    )
    op.create_index(op.f("ix_survey_organisation_id"), "survey", ["organisation_id"], unique=False)
    op.create_table(
        "survey_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "rating",
                "scale",
                "single",
                "multiple",
                "yes_no",
                "short_text",
                "long_text",
                name="survey_question_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("label_ar", sa.String(length=500), nullable=False),
        sa.Column("label_fr", sa.String(length=500), nullable=False),
        sa.Column("choices_ar", sa.Text(), nullable=False),
        sa.Column("choices_fr", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("is_concern", sa.Boolean(), nullable=False, comment="answers become follow-ups"),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_survey_question_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
            name=op.f("fk_survey_question_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_question")),
    )
    op.create_index(
        op.f("ix_survey_question_organisation_id"),
        "survey_question",
        ["organisation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_survey_question_survey_id"), "survey_question", ["survey_id"], unique=False
    )
    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False, comment="the concern, as raised"),
        sa.Column("question", sa.String(length=500), nullable=False, comment="where it was asked"),
        sa.Column(
            "source",
            sa.Enum(
                "rsvp",
                "survey",
                "door",
                "organiser",
                name="follow_up_source",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("raised_by_name", sa.String(length=200), nullable=False),
        sa.Column("raised_by_contact", sa.String(length=254), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True, comment="assigned body"),
        sa.Column("department", sa.String(length=120), nullable=False, comment="or free text"),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_progress",
                "resolved",
                name="follow_up_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("resolution", sa.Text(), nullable=False, comment="the answer given"),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.Column("updated_at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.CheckConstraint(
            "status != 'resolved' OR resolved_at IS NOT NULL",
            name=op.f("ck_follow_up_resolved_has_date"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_follow_up_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_follow_up_event_id_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_follow_up_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_follow_up_partner_id_partner"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_follow_up_registration_id_registration"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
    )
    op.create_index(op.f("ix_follow_up_event_id"), "follow_up", ["event_id"], unique=False)
    op.create_index(
        "ix_follow_up_org_status", "follow_up", ["organisation_id", "status"], unique=False
    )
    op.create_index(
        op.f("ix_follow_up_organisation_id"), "follow_up", ["organisation_id"], unique=False
    )
    op.create_index(op.f("ix_follow_up_partner_id"), "follow_up", ["partner_id"], unique=False)
    op.create_index(
        op.f("ix_follow_up_registration_id"), "follow_up", ["registration_id"], unique=False
    )
    op.create_table(
        "survey_invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column(
            "person_key",
            sa.String(length=40),
            nullable=False,
            comment="r:<registration> c:<companion>",
        ),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("companion_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column(
            "send_at", sa.DateTime(), nullable=False, comment="UTC: when the invitation is due"
        ),
        sa.Column("responded", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["companion_id"],
            ["companion.id"],
            name=op.f("fk_survey_invite_companion_id_companion"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_survey_invite_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_survey_invite_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
            name=op.f("fk_survey_invite_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_invite")),
        sa.UniqueConstraint(
            "survey_id", "person_key", name=op.f("uq_survey_invite_survey_id_person_key")
        ),
        sa.UniqueConstraint("token", name=op.f("uq_survey_invite_token")),
    )
    op.create_index(
        op.f("ix_survey_invite_companion_id"), "survey_invite", ["companion_id"], unique=False
    )
    op.create_index(
        op.f("ix_survey_invite_organisation_id"), "survey_invite", ["organisation_id"], unique=False
    )
    op.create_index(
        op.f("ix_survey_invite_registration_id"), "survey_invite", ["registration_id"], unique=False
    )
    op.create_index(
        op.f("ix_survey_invite_survey_id"), "survey_invite", ["survey_id"], unique=False
    )
    op.create_table(
        "survey_response",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column(
            "respondent_key",
            sa.String(length=64),
            nullable=False,
            comment="HMAC of the link under the secret key: one response per link",
        ),
        sa.Column("answered_on", sa.Date(), nullable=False, comment="the day only, never the time"),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("companion_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["companion_id"],
            ["companion.id"],
            name=op.f("fk_survey_response_companion_id_companion"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_survey_response_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_survey_response_registration_id_registration"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
            name=op.f("fk_survey_response_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_response")),
        sa.UniqueConstraint(
            "survey_id", "respondent_key", name=op.f("uq_survey_response_survey_id_respondent_key")
        ),
    )
    op.create_index(
        op.f("ix_survey_response_organisation_id"),
        "survey_response",
        ["organisation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_survey_response_registration_id"),
        "survey_response",
        ["registration_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_survey_response_survey_id"), "survey_response", ["survey_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_survey_response_survey_id"), table_name="survey_response")
    op.drop_index(op.f("ix_survey_response_registration_id"), table_name="survey_response")
    op.drop_index(op.f("ix_survey_response_organisation_id"), table_name="survey_response")
    op.drop_table("survey_response")
    op.drop_index(op.f("ix_survey_invite_survey_id"), table_name="survey_invite")
    op.drop_index(op.f("ix_survey_invite_registration_id"), table_name="survey_invite")
    op.drop_index(op.f("ix_survey_invite_organisation_id"), table_name="survey_invite")
    op.drop_index(op.f("ix_survey_invite_companion_id"), table_name="survey_invite")
    op.drop_table("survey_invite")
    op.drop_index(op.f("ix_follow_up_registration_id"), table_name="follow_up")
    op.drop_index(op.f("ix_follow_up_partner_id"), table_name="follow_up")
    op.drop_index(op.f("ix_follow_up_organisation_id"), table_name="follow_up")
    op.drop_index("ix_follow_up_org_status", table_name="follow_up")
    op.drop_index(op.f("ix_follow_up_event_id"), table_name="follow_up")
    op.drop_table("follow_up")
    op.drop_index(op.f("ix_survey_question_survey_id"), table_name="survey_question")
    op.drop_index(op.f("ix_survey_question_organisation_id"), table_name="survey_question")
    op.drop_table("survey_question")
    op.drop_index(op.f("ix_survey_organisation_id"), table_name="survey")
    op.drop_table("survey")
