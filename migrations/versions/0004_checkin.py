"""check-in log, device tokens (issue 5)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 21:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def upgrade():
    op.create_table('door_device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('door', sa.String(length=40), nullable=False, comment='the door it stands at'),
    sa.Column('label', sa.String(length=80), nullable=False, comment="e.g. Samira's phone"),
    sa.Column('token_hash', sa.String(length=64), nullable=False, comment='sha256 hex'),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_door_device_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_door_device_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_door_device_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_door_device')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_door_device_token_hash'))
    )
    with op.batch_alter_table('door_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_door_device_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_door_device_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('checkin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('door', sa.String(length=40), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('method', _enum('checkin_method', 'scan', 'search', 'walk_in', 'ticket_page', 'undo'), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=True, comment='client-made retry key'),
    sa.Column('code_excerpt', sa.String(length=80), nullable=False, comment='start of what was scanned'),
    sa.Column('result', _enum('checkin_result', 'admitted', 'already_checked_in', 'not_valid', 'undone'), nullable=False),
    sa.Column('reason', _enum('checkin_reason', 'unknown', 'revoked', 'declined', 'waitlisted', 'wrong_event', 'event_not_open'), nullable=True),
    sa.Column('offline', sa.Boolean(), nullable=False, comment='queued while offline'),
    sa.Column('client_time', sa.DateTime(), nullable=True, comment='UTC, the scan time it sent'),
    sa.Column('created_at', sa.DateTime(), nullable=False, comment='UTC, server time'),
    sa.Column('answer', sa.JSON(), nullable=False, comment='what the API answered'),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['door_device.id'], name=op.f('fk_checkin_device_id_door_device'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_checkin_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_checkin_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_checkin_registration_id_registration'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_checkin_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin')),
    sa.UniqueConstraint('event_id', 'nonce', name=op.f('uq_checkin_event_id_nonce'))
    )
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_event_id_created_at', ['event_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_user_id'), ['user_id'], unique=False)

    op.create_table('checkin_conflict',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False, comment='the late offline admission'),
    sa.Column('first_at', sa.DateTime(), nullable=True, comment='UTC'),
    sa.Column('first_door', sa.String(length=40), nullable=False),
    sa.Column('second_at', sa.DateTime(), nullable=True, comment='UTC, the offline scan time'),
    sa.Column('second_door', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkin.id'], name=op.f('fk_checkin_conflict_checkin_id_checkin'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_checkin_conflict_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_checkin_conflict_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_checkin_conflict_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_conflict'))
    )
    with op.batch_alter_table('checkin_conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_conflict_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_conflict_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_conflict_registration_id'), ['registration_id'], unique=False)


def downgrade():
    op.drop_table('checkin_conflict')
    op.drop_table('checkin')
    op.drop_table('door_device')
