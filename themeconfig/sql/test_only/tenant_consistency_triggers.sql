-- Seed 000 §5.3, TEST DATABASES ONLY (too expensive in production; no migration runs this file):
-- a child row's tenant_id must equal its parent's, checked by a trigger since tenant_id has no FK.
-- Installed by themeconfig.test_support.install_tenant_consistency_triggers(cursor).
--
-- SECURITY DEFINER, owned by whoever installs it (a superuser or BYPASSRLS role), so the parent is
-- read whatever the caller's tenant context: with the caller's rights, RLS would hide another
-- tenant's parent and the mismatch would go unexplained. A missing parent is left to the FK.
-- Idempotent; tables that are not there (an app not migrated) are skipped.

CREATE OR REPLACE FUNCTION theme_config.assert_tenant_consistency() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  parent_table text := TG_ARGV[0];   -- schema-qualified parent table, e.g. theme_config.theme_versions
  parent_column text := TG_ARGV[1];  -- the child's FK column pointing at it, e.g. theme_version_id
  parent_id text := to_jsonb(NEW) ->> parent_column;
  parent_tenant text;
BEGIN
  IF parent_id IS NULL THEN
    RETURN NEW;
  END IF;
  EXECUTE format('SELECT tenant_id FROM %s WHERE id = $1', parent_table) INTO parent_tenant USING parent_id;
  IF parent_tenant IS NOT NULL AND parent_tenant IS DISTINCT FROM NEW.tenant_id THEN
    RAISE EXCEPTION USING
      ERRCODE = 'check_violation',
      CONSTRAINT = TG_TABLE_NAME || '_tenant_consistency',
      SCHEMA = TG_TABLE_SCHEMA,
      TABLE = TG_TABLE_NAME,
      MESSAGE = format('%s.%s: tenant_id %s differs from tenant_id %s of %s %s (seed 000 §5.3)',
                       TG_TABLE_SCHEMA, TG_TABLE_NAME, NEW.tenant_id, parent_tenant, parent_table, parent_id),
      HINT = 'A child row belongs to the tenant of the row it hangs off.';
  END IF;
  RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION theme_config.assert_tenant_consistency() FROM PUBLIC;

DO $$
DECLARE
  child record;
BEGIN
  FOR child IN
    SELECT * FROM (VALUES
      ('theme_config.theme_versions',       'theme_config.themes',         'theme_id'),
      ('theme_config.content_blocks',       'theme_config.theme_versions', 'theme_version_id'),
      ('theme_config.navigation_configs',   'theme_config.theme_versions', 'theme_version_id'),
      ('theme_config.booking_flow_configs', 'theme_config.theme_versions', 'theme_version_id'),
      ('theme_config.email_themes',         'theme_config.theme_versions', 'theme_version_id'),
      ('theme_config.locale_packs',         'theme_config.theme_versions', 'theme_version_id'),
      ('theme_config.preview_tokens',       'theme_config.theme_versions', 'theme_version_id'),
      ('theme_config.theme_publications',   'theme_config.theme_versions', 'theme_version_id'),
      ('theme_config.palette_suggestions',  'theme_config.themes',         'theme_id'),
      ('theme_config.translation_drafts',   'theme_config.theme_versions', 'theme_version_id'),
      ('theme_config.content_drafts',       'theme_config.theme_versions', 'theme_version_id')
    ) AS t(child_table, parent_table, parent_column)
  LOOP
    IF to_regclass(child.child_table) IS NOT NULL THEN
      EXECUTE format(
        'CREATE OR REPLACE TRIGGER %I BEFORE INSERT OR UPDATE OF tenant_id, %I ON %s '
        'FOR EACH ROW EXECUTE FUNCTION theme_config.assert_tenant_consistency(%L, %L)',
        split_part(child.child_table, '.', 2) || '_tenant_consistency',
        child.parent_column, child.child_table, child.parent_table, child.parent_column
      );
    END IF;
  END LOOP;
END;
$$;
