"""Schema rules of seed 000 §2 / seed 004 that hold for every table we own, now and later."""
import pytest

pytestmark = pytest.mark.django_db
OUR_SCHEMAS = ("theme_config", "tenant_service")


def test_every_foreign_key__has_an_index_leading_with_its_columns(admin_sql):
    rows = admin_sql.execute(
        """
        SELECT con.conrelid::regclass::text, con.conname, con.conkey
        FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
        WHERE con.contype = 'f' AND n.nspname = ANY(%s)
          AND NOT EXISTS (
            SELECT 1 FROM pg_index i
            WHERE i.indrelid = con.conrelid
              AND (i.indkey::int2[])[0:cardinality(con.conkey) - 1] @> con.conkey
              AND (i.indkey::int2[])[0:cardinality(con.conkey) - 1] <@ con.conkey
          )
        ORDER BY 1, 2
        """,
        [list(OUR_SCHEMAS)],
    ).fetchall()
    assert rows == [], f"foreign keys without a leading index: {rows}"


def test_every_table__has_a_primary_key(admin_sql):
    rows = admin_sql.execute(
        """
        SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint p WHERE p.conrelid = c.oid AND p.contype = 'p')
        """,
        [list(OUR_SCHEMAS)],
    ).fetchall()
    assert rows == []


def test_timestamps__always_timestamptz(admin_sql):
    rows = admin_sql.execute(
        """
        SELECT table_schema || '.' || table_name || '.' || column_name FROM information_schema.columns
        WHERE table_schema = ANY(%s) AND data_type = 'timestamp without time zone'
        """,
        [list(OUR_SCHEMAS)],
    ).fetchall()
    assert rows == []


def test_no_varchar__text_everywhere(admin_sql):
    rows = admin_sql.execute(
        """
        SELECT table_schema || '.' || table_name || '.' || column_name FROM information_schema.columns
        WHERE table_schema = ANY(%s) AND data_type IN ('character varying', 'character')
        """,
        [list(OUR_SCHEMAS)],
    ).fetchall()
    assert rows == []
