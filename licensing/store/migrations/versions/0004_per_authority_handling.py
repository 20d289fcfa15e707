"""per-authority handling of findings; who acted recorded as an Actor

Each authority handles a finding for itself (finding_handling); the finding's own status is only
whether its fact holds (open | closed). The key-only "who" columns become the four columns of an
Actor (kind, user id, API key id, authority) on feeds, identity decisions, finding events and the
audit log. Existing rows keep who they were: an API key with its authority, or the service.

Revision ID: 0004
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import licensing.store.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

HANDLED = "('acknowledged', 'actioned', 'dismissed')"


def _actor_columns(prefix: str, *, kind_nullable: bool = True, authority_fk: bool = False,
                   table: str) -> list[sa.Column]:
    authority = [sa.ForeignKey('authority.code', name=f'fk_{table}_{prefix}_authority_code_authority')] \
        if authority_fk else []
    return [
        sa.Column(f'{prefix}_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=kind_nullable),
        sa.Column(f'{prefix}_user_id', sa.Integer(), nullable=True),
        sa.Column(f'{prefix}_api_key_id', sa.Integer(),
                  sa.ForeignKey('api_key.id', name=f'fk_{table}_{prefix}_api_key_id_api_key'), nullable=True),
        sa.Column(f'{prefix}_authority_code', sqlmodel.sql.sqltypes.AutoString(length=16), *authority,
                  nullable=True),
    ]


def _add_columns(table: str, columns: list[sa.Column]) -> None:
    with op.batch_alter_table(table) as batch_op:
        for column in columns:
            batch_op.add_column(column)


class _AuditTriggersLifted:
    """The audit log refuses updates (triggers). Moving its "who" columns is the one change the
    schema itself makes: lift the triggers for it and put back exactly those that were there, so
    that triggers other migrations added survive too."""

    def __enter__(self):
        bind = op.get_bind()
        self.postgresql = bind.dialect.name == "postgresql"
        if self.postgresql:
            op.execute("ALTER TABLE audit_event DISABLE TRIGGER USER")
            self.saved = []
        else:
            self.saved = bind.execute(sa.text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'")).all()
            for name, _ in self.saved:
                op.execute(f'DROP TRIGGER "{name}"')
        return self

    def __exit__(self, *exc):
        if self.postgresql:
            op.execute("ALTER TABLE audit_event ENABLE TRIGGER USER")
        else:
            for _, sql in self.saved:
                op.execute(sql)
        return False


def upgrade() -> None:
    op.create_table('finding_handling',
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('changed_at', licensing.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('changed_by_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('changed_by_user_id', sa.Integer(), nullable=True),
    sa.Column('changed_by_api_key_id', sa.Integer(), nullable=True),
    sa.Column('changed_by_authority_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.ForeignKeyConstraint(['authority_code'], ['authority.code'],
                            name=op.f('fk_finding_handling_authority_code_authority')),
    sa.ForeignKeyConstraint(['changed_by_api_key_id'], ['api_key.id'],
                            name=op.f('fk_finding_handling_changed_by_api_key_id_api_key')),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_handling_finding_id_finding')),
    sa.PrimaryKeyConstraint('finding_id', 'authority_code', name=op.f('pk_finding_handling'))
    )
    with op.batch_alter_table('finding_handling') as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_handling_authority_code'), ['authority_code'], unique=False)

    # A finding's one status becomes the handling of the authority that set it.
    op.execute(
        "INSERT INTO finding_handling (finding_id, authority_code, status, changed_at, reason, changed_by_kind, "
        "changed_by_api_key_id, changed_by_authority_code) "
        "SELECT id, status_changed_by_authority, status, COALESCE(status_changed_at, updated_at), status_reason, "
        "'api_key', status_changed_by_key_id, status_changed_by_authority FROM finding "
        f"WHERE status IN {HANDLED} AND status_changed_by_authority IS NOT NULL")
    op.execute(f"UPDATE finding SET status = 'open' WHERE status IN {HANDLED}")
    with op.batch_alter_table('finding') as batch_op:
        batch_op.drop_constraint('fk_finding_status_changed_by_key_id_api_key', type_='foreignkey')
        for column in ('status_changed_at', 'status_changed_by_key_id', 'status_changed_by_authority',
                       'status_reason'):
            batch_op.drop_column(column)

    _add_columns('finding_event', [*_actor_columns('actor', table='finding_event'), sa.Column(
        'identity_decision_id', sa.Integer(),
        sa.ForeignKey('identity_decision.id', name='fk_finding_event_identity_decision_id_identity_decision'),
        nullable=True)])
    op.execute("UPDATE finding_event SET actor_kind = CASE WHEN api_key_id IS NULL THEN 'service' ELSE 'api_key' END, "
               "actor_api_key_id = api_key_id, actor_authority_code = authority_code")
    with op.batch_alter_table('finding_event') as batch_op:
        batch_op.alter_column('actor_kind', existing_type=sqlmodel.sql.sqltypes.AutoString(length=16),
                              nullable=False)
        batch_op.drop_constraint('fk_finding_event_api_key_id_api_key', type_='foreignkey')
        batch_op.drop_column('api_key_id')
        batch_op.drop_column('authority_code')

    _add_columns('identity_decision', _actor_columns('decided_by', authority_fk=True, table='identity_decision'))
    op.execute("UPDATE identity_decision SET decided_by_kind = "
               "CASE WHEN decided_by_key_id IS NULL THEN 'service' ELSE 'api_key' END, "
               "decided_by_api_key_id = decided_by_key_id, decided_by_authority_code = authority_code")
    with op.batch_alter_table('identity_decision') as batch_op:
        batch_op.alter_column('decided_by_kind', existing_type=sqlmodel.sql.sqltypes.AutoString(length=16),
                              nullable=False)
        batch_op.drop_constraint('fk_identity_decision_decided_by_key_id_api_key', type_='foreignkey')
        batch_op.drop_constraint('fk_identity_decision_authority_code_authority', type_='foreignkey')
        batch_op.drop_column('decided_by_key_id')
        batch_op.drop_column('authority_code')

    _add_columns('feed', _actor_columns('confirmed_by', table='feed'))
    op.execute("UPDATE feed SET confirmed_by_kind = 'api_key', confirmed_by_api_key_id = confirmed_by_key_id, "
               "confirmed_by_authority_code = (SELECT authority_code FROM api_key WHERE api_key.id = feed.confirmed_by_key_id) "
               "WHERE confirmed_by_key_id IS NOT NULL")
    with op.batch_alter_table('feed') as batch_op:
        batch_op.drop_constraint('fk_feed_confirmed_by_key_id_api_key', type_='foreignkey')
        batch_op.drop_column('confirmed_by_key_id')

    with _AuditTriggersLifted():
        _add_columns('audit_event', _actor_columns('actor', table='audit_event'))
        op.execute("UPDATE audit_event SET actor_kind = 'api_key', actor_api_key_id = api_key_id, "
                   "actor_authority_code = authority_code WHERE api_key_id IS NOT NULL")
        with op.batch_alter_table('audit_event') as batch_op:
            batch_op.drop_constraint('fk_audit_event_api_key_id_api_key', type_='foreignkey')
            batch_op.drop_column('api_key_id')


def downgrade() -> None:
    with _AuditTriggersLifted():
        with op.batch_alter_table('audit_event') as batch_op:
            batch_op.add_column(sa.Column('api_key_id', sa.Integer(), sa.ForeignKey(
                'api_key.id', name='fk_audit_event_api_key_id_api_key'), nullable=True))
        op.execute("UPDATE audit_event SET api_key_id = actor_api_key_id")
        with op.batch_alter_table('audit_event') as batch_op:
            batch_op.drop_constraint('fk_audit_event_actor_api_key_id_api_key', type_='foreignkey')
            for column in ('actor_kind', 'actor_user_id', 'actor_api_key_id', 'actor_authority_code'):
                batch_op.drop_column(column)

    with op.batch_alter_table('feed') as batch_op:
        batch_op.add_column(sa.Column('confirmed_by_key_id', sa.Integer(), sa.ForeignKey(
            'api_key.id', name='fk_feed_confirmed_by_key_id_api_key'), nullable=True))
    op.execute("UPDATE feed SET confirmed_by_key_id = confirmed_by_api_key_id")
    with op.batch_alter_table('feed') as batch_op:
        batch_op.drop_constraint('fk_feed_confirmed_by_api_key_id_api_key', type_='foreignkey')
        for column in ('confirmed_by_kind', 'confirmed_by_user_id', 'confirmed_by_api_key_id',
                       'confirmed_by_authority_code'):
            batch_op.drop_column(column)

    with op.batch_alter_table('identity_decision') as batch_op:
        batch_op.add_column(sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(), sa.ForeignKey(
            'authority.code', name='fk_identity_decision_authority_code_authority'), nullable=True))
        batch_op.add_column(sa.Column('decided_by_key_id', sa.Integer(), sa.ForeignKey(
            'api_key.id', name='fk_identity_decision_decided_by_key_id_api_key'), nullable=True))
    op.execute("UPDATE identity_decision SET authority_code = decided_by_authority_code, "
               "decided_by_key_id = decided_by_api_key_id")
    with op.batch_alter_table('identity_decision') as batch_op:
        batch_op.drop_constraint('fk_identity_decision_decided_by_api_key_id_api_key', type_='foreignkey')
        batch_op.drop_constraint('fk_identity_decision_decided_by_authority_code_authority', type_='foreignkey')
        for column in ('decided_by_kind', 'decided_by_user_id', 'decided_by_api_key_id', 'decided_by_authority_code'):
            batch_op.drop_column(column)

    with op.batch_alter_table('finding_event') as batch_op:
        batch_op.add_column(sa.Column('api_key_id', sa.Integer(), sa.ForeignKey(
            'api_key.id', name='fk_finding_event_api_key_id_api_key'), nullable=True))
        batch_op.add_column(sa.Column('authority_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    op.execute("UPDATE finding_event SET api_key_id = actor_api_key_id, authority_code = actor_authority_code")
    with op.batch_alter_table('finding_event') as batch_op:
        batch_op.drop_constraint('fk_finding_event_actor_api_key_id_api_key', type_='foreignkey')
        batch_op.drop_constraint('fk_finding_event_identity_decision_id_identity_decision', type_='foreignkey')
        for column in ('actor_kind', 'actor_user_id', 'actor_api_key_id', 'actor_authority_code',
                       'identity_decision_id'):
            batch_op.drop_column(column)

    # One status per finding again: the latest handling wins, as before there was more than one.
    with op.batch_alter_table('finding') as batch_op:
        batch_op.add_column(sa.Column('status_changed_at', licensing.store.types.UtcDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('status_changed_by_key_id', sa.Integer(), sa.ForeignKey(
            'api_key.id', name='fk_finding_status_changed_by_key_id_api_key'), nullable=True))
        batch_op.add_column(sa.Column('status_changed_by_authority', sqlmodel.sql.sqltypes.AutoString(length=16),
                                      nullable=True))
        batch_op.add_column(sa.Column('status_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True))
    latest = ("(SELECT {column} FROM finding_handling h WHERE h.finding_id = finding.id "
              "ORDER BY h.changed_at DESC LIMIT 1)")
    op.execute("UPDATE finding SET " + ", ".join(
        f"{target} = {latest.format(column=source)}" for target, source in (
            ("status_changed_at", "changed_at"), ("status_changed_by_key_id", "changed_by_api_key_id"),
            ("status_changed_by_authority", "authority_code"), ("status_reason", "reason"))))
    op.execute(f"UPDATE finding SET status = {latest.format(column='status')} "
               "WHERE status = 'open' AND status_changed_at IS NOT NULL")
    with op.batch_alter_table('finding_handling') as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_handling_authority_code'))
    op.drop_table('finding_handling')
