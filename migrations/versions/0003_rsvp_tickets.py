"""RSVP forms, questions, waiting list, tickets (issue 4)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 21:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

QUESTION_KINDS = (
    'short_text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no', 'number',
    'phone', 'email', 'date',
)


def _org_fk(table):
    return sa.ForeignKeyConstraint(
        ['organisation_id'], ['organisation.id'],
        name=op.f(f'fk_{table}_organisation_id_organisation'), ondelete='CASCADE',
    )


def upgrade():
    op.create_table('rsvp_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False, comment='order on the form'),
    sa.Column('kind', sa.Enum(*QUESTION_KINDS, name='rsvp_question_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('label_ar', sa.String(length=300), nullable=False),
    sa.Column('label_fr', sa.String(length=300), nullable=False),
    sa.Column('help_ar', sa.String(length=500), nullable=False),
    sa.Column('help_fr', sa.String(length=500), nullable=False),
    sa.Column('choices_ar', sa.Text(), nullable=False, comment='one per line'),
    sa.Column('choices_fr', sa.Text(), nullable=False, comment='one per line'),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('is_concern', sa.Boolean(), nullable=False, comment='answers go to follow-ups'),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.Column('updated_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_rsvp_question_event_id_event'), ondelete='CASCADE'),
    _org_fk('rsvp_question'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rsvp_question'))
    )
    with op.batch_alter_table('rsvp_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rsvp_question_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rsvp_question_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('rsvp_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_rsvp_answer_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['rsvp_question.id'], name=op.f('fk_rsvp_answer_question_id_rsvp_question'), ondelete='CASCADE'),
    _org_fk('rsvp_answer'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rsvp_answer')),
    sa.UniqueConstraint('registration_id', 'question_id', name=op.f('uq_rsvp_answer_registration_id_question_id'))
    )
    with op.batch_alter_table('rsvp_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rsvp_answer_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rsvp_answer_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rsvp_answer_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('rsvp_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('open_registration', sa.Boolean(), nullable=False, comment='public form'),
    sa.Column('requires_approval', sa.Boolean(), nullable=False, comment='organiser decides'),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_rsvp_settings_event_id_event'), ondelete='CASCADE'),
    _org_fk('rsvp_settings'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rsvp_settings')),
    sa.UniqueConstraint('event_id', name=op.f('uq_rsvp_settings_event_id'))
    )
    with op.batch_alter_table('rsvp_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rsvp_settings_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('registration_confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_registration_confirmation_registration_id_registration'), ondelete='CASCADE'),
    _org_fk('registration_confirmation'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_confirmation')),
    sa.UniqueConstraint('token', name=op.f('uq_registration_confirmation_token'))
    )
    with op.batch_alter_table('registration_confirmation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_confirmation_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_confirmation_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('rsvp_revoked_ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=False, comment='UTC'),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_rsvp_revoked_ticket_registration_id_registration'), ondelete='CASCADE'),
    _org_fk('rsvp_revoked_ticket'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rsvp_revoked_ticket')),
    sa.UniqueConstraint('code', name=op.f('uq_rsvp_revoked_ticket_code'))
    )
    with op.batch_alter_table('rsvp_revoked_ticket', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rsvp_revoked_ticket_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rsvp_revoked_ticket_organisation_id'), ['organisation_id'], unique=False)


def downgrade():
    for table, indexes in (
        ('rsvp_revoked_ticket', ('organisation_id', 'registration_id')),
        ('registration_confirmation', ('organisation_id', 'registration_id')),
        ('rsvp_settings', ('organisation_id',)),
        ('rsvp_answer', ('organisation_id', 'question_id', 'registration_id')),
        ('rsvp_question', ('organisation_id', 'event_id')),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in indexes:
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
