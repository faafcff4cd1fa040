"""On PostgreSQL, the database itself refuses to change or delete an audit entry (a row trigger on
UPDATE and DELETE). Other databases rely on the model's refusals only. TRUNCATE is not blocked, so
that test runners and ``flush`` can still empty a database; see docs/audit.md for the limits."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CREATE = """
CREATE OR REPLACE FUNCTION audit_entry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit log entries are never changed or deleted (% on audit_entry)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER audit_entry_immutable
    BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_immutable ON audit_entry;
DROP FUNCTION IF EXISTS audit_entry_refuse_change();
"""


def create_trigger(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no placeholders: the % belongs to PL/pgSQL


def drop_trigger(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_entry")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
