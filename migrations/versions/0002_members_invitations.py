"""members directory, invitations, outbox delivery (issue 3)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 21:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True, comment='dropped once confirmed'),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('update_existing', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.Column('updated_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_member_import_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_member_import_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_import'))
    )
    with op.batch_alter_table('member_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_import_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_import_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('reminder_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('days_before', sa.Integer(), nullable=False, comment='before the start'),
    sa.Column('done_at', sa.DateTime(), nullable=True, comment='when the reminders were queued'),
    sa.Column('queued', sa.Integer(), nullable=False, comment='how many were queued'),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.Column('updated_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.CheckConstraint('days_before >= 0 AND days_before <= 60', name=op.f('ck_reminder_schedule_days_before_range')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_reminder_schedule_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_reminder_schedule_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_schedule')),
    sa.UniqueConstraint('event_id', 'days_before', name=op.f('uq_reminder_schedule_event_id_days_before'))
    )
    with op.batch_alter_table('reminder_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_schedule_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_schedule_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('event_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('changed', 'cancelled', name='notice_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('changes', sa.String(length=40), nullable=False, comment="'time,venue'"),
    sa.Column('raised_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True, comment='notices queued then'),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('dismissed_at', sa.DateTime(), nullable=True, comment='the organiser said no'),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.Column('updated_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], name=op.f('fk_event_notice_confirmed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_notice_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_event_notice_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['raised_by_id'], ['user_account.id'], name=op.f('fk_event_notice_raised_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_notice'))
    )
    with op.batch_alter_table('event_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_notice_confirmed_by_id'), ['confirmed_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_notice_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_notice_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_notice_raised_by_id'), ['raised_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('event_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_notice_raised_by_id'))
        batch_op.drop_index(batch_op.f('ix_event_notice_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_event_notice_event_id'))
        batch_op.drop_index(batch_op.f('ix_event_notice_confirmed_by_id'))
    op.drop_table('event_notice')
    with op.batch_alter_table('reminder_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_schedule_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_schedule_event_id'))
    op.drop_table('reminder_schedule')
    with op.batch_alter_table('member_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_import_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_member_import_created_by_id'))
    op.drop_table('member_import')
