-- Audit log (seed 002: who did what, when): one append-only row per change a use case makes,
-- written in the use case's own transaction (themeconfig.services.audit.audit_record).
--
-- Range-partitioned by month on occurred_at, so old months can be detached or dropped whole and a
-- tenant's recent history is read from one or two small partitions. The partition key must be part
-- of every unique constraint, hence the primary key (tenant_id, occurred_at, id); the identity id
-- alone is unique in practice and orders rows written in the same microsecond.
CREATE TABLE theme_config.audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY,
  tenant_id text NOT NULL CHECK (length(tenant_id) = 26 AND tenant_id LIKE 'tnt_%'),
  -- Principal.actor: user:42, api_key:apk_…, operator:seed_demo
  actor text NOT NULL CHECK (actor ~ '^(user|api_key|operator):.+$' AND length(actor) <= 200),
  -- <entity>.<past participle>: theme.created, version.updated, api_key.revoked
  action text NOT NULL CHECK (action ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$' AND length(action) <= 100),
  entity_type text NOT NULL CHECK (entity_type ~ '^[a-z][a-z_]*$' AND length(entity_type) <= 100),
  entity_id text NOT NULL CHECK (length(entity_id) BETWEEN 1 AND 255),
  -- The changed fields only: before (NULL on create) and after (NULL on delete).
  old_values jsonb NULL CHECK (jsonb_typeof(old_values) = 'object'),
  new_values jsonb NULL CHECK (jsonb_typeof(new_values) = 'object'),
  ip inet NULL,
  request_id text NULL CHECK (length(request_id) <= 128),
  occurred_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT audit_log_pkey PRIMARY KEY (tenant_id, occurred_at, id)
) PARTITION BY RANGE (occurred_at);

-- Query patterns of audit_log_list. "A tenant's log, newest first" (tenant_id =, ORDER BY
-- occurred_at DESC, id DESC) is served by a backward scan of the primary key, so it gets no index
-- of its own: a second copy of the same key would only double the writes of an append-only table.
CREATE INDEX audit_log_entity_idx ON theme_config.audit_log (tenant_id, entity_type, entity_id, occurred_at DESC);
CREATE INDEX audit_log_actor_idx ON theme_config.audit_log (tenant_id, actor, occurred_at DESC);

ALTER TABLE theme_config.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE theme_config.audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON theme_config.audit_log
  USING (tenant_id = current_setting('app.tenant_id'))
  WITH CHECK (tenant_id = current_setting('app.tenant_id'));

-- Append-only: bootstrap's default privileges gave the request role full DML; it reads and appends.
-- The service role keeps DELETE for a retention purge, but nobody rewrites history.
REVOKE UPDATE, DELETE ON theme_config.audit_log FROM theme_config_app;
REVOKE UPDATE ON theme_config.audit_log FROM theme_config_service;

-- Partition upkeep: creates the DEFAULT partition if it is missing and the monthly partitions
-- audit_log_YYYY_MM (UTC months) from the current month to `months_ahead` months ahead; returns
-- the names it created, nothing when all exist. Each partition gets RLS, FORCE and the
-- tenant_isolation policy of its own (selecting a partition directly bypasses the parent's
-- policies) and the parent's narrowed grants (default privileges granted full DML again).
--
-- A new month is built beside the table and ATTACHed (SHARE UPDATE EXCLUSIVE on the parent, so
-- inserts go on; CREATE TABLE ... PARTITION OF would take ACCESS EXCLUSIVE). Rows that went to
-- the DEFAULT partition because their month was late would make ATTACH fail, so they are moved
-- first; under FORCE the owner would see none of them, so FORCE is lifted on the DEFAULT
-- partition for this transaction only (it is locked meanwhile; an error rolls it all back).
-- A lock that is not granted soon fails the run instead of queueing the log's readers behind it;
-- partitions are made months ahead, so the next daily run simply tries again.
-- SECURITY DEFINER (the migrator owns the table); EXECUTE for theme_config_service only.
CREATE FUNCTION theme_config.audit_log_ensure_partitions(months_ahead int)
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '5s'
AS $$
DECLARE
  first_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
  month_start date;
  month_end date;
  part text;
  created text[] := '{}';
  default_created boolean := false;
  default_unforced boolean := false;
BEGIN
  IF months_ahead IS NULL OR months_ahead < 0 OR months_ahead > 36 THEN
    RAISE EXCEPTION 'months_ahead must be between 0 and 36, not %', months_ahead
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Two runs at once (beat and an operator) must not both create the same month.
  PERFORM pg_advisory_xact_lock(hashtext('theme_config.audit_log_ensure_partitions'));

  IF to_regclass('theme_config.audit_log_default') IS NULL THEN
    CREATE TABLE theme_config.audit_log_default PARTITION OF theme_config.audit_log DEFAULT;
    default_created := true;
    created := created || 'audit_log_default'::text;
  END IF;

  FOR i IN 0..months_ahead LOOP
    month_start := (first_month + make_interval(months => i))::date;
    month_end := (month_start + interval '1 month')::date;
    part := 'audit_log_' || to_char(month_start, 'YYYY_MM');
    CONTINUE WHEN to_regclass('theme_config.' || quote_ident(part)) IS NOT NULL;
    IF NOT default_created AND NOT default_unforced THEN
      ALTER TABLE theme_config.audit_log_default NO FORCE ROW LEVEL SECURITY;
      default_unforced := true;
    END IF;
    EXECUTE format(
      'CREATE TABLE theme_config.%I (LIKE theme_config.audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
    EXECUTE format(
      'WITH moved AS (DELETE FROM theme_config.audit_log_default WHERE occurred_at >= $1 AND occurred_at < $2 '
      'RETURNING *) INSERT INTO theme_config.%I SELECT * FROM moved', part)
      USING (month_start::timestamp AT TIME ZONE 'UTC'), (month_end::timestamp AT TIME ZONE 'UTC');
    EXECUTE format(
      'ALTER TABLE theme_config.audit_log ATTACH PARTITION theme_config.%I FOR VALUES FROM (%L) TO (%L)',
      part, to_char(month_start, 'YYYY-MM-DD') || ' 00:00:00+00', to_char(month_end, 'YYYY-MM-DD') || ' 00:00:00+00');
    created := created || part;
  END LOOP;

  IF default_unforced THEN
    ALTER TABLE theme_config.audit_log_default FORCE ROW LEVEL SECURITY;
  END IF;

  FOREACH part IN ARRAY created LOOP
    EXECUTE format('ALTER TABLE theme_config.%I ENABLE ROW LEVEL SECURITY', part);
    EXECUTE format('ALTER TABLE theme_config.%I FORCE ROW LEVEL SECURITY', part);
    EXECUTE format(
      $policy$CREATE POLICY tenant_isolation ON theme_config.%I
        USING (tenant_id = current_setting('app.tenant_id'))
        WITH CHECK (tenant_id = current_setting('app.tenant_id'))$policy$, part);
    EXECUTE format('REVOKE UPDATE, DELETE ON theme_config.%I FROM theme_config_app', part);
    EXECUTE format('REVOKE UPDATE ON theme_config.%I FROM theme_config_service', part);
    RETURN NEXT part;
  END LOOP;
  RETURN;
END;
$$;
-- Default privileges granted EXECUTE to the request and read-only roles as well (and PUBLIC has it
-- on every function): only the service role runs the upkeep (ensure_audit_partitions_task).
REVOKE ALL ON FUNCTION theme_config.audit_log_ensure_partitions(int)
  FROM PUBLIC, theme_config_app, theme_config_ro, theme_config_preview_reader;
GRANT EXECUTE ON FUNCTION theme_config.audit_log_ensure_partitions(int) TO theme_config_service;

-- The DEFAULT partition (an insert never fails for want of a month), this month and three ahead.
SELECT theme_config.audit_log_ensure_partitions(3);
