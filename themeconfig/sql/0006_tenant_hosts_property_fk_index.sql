-- tenant_hosts_property_fk is (tenant_id, property_id): deleting a property looks its hosts up by
-- both columns. CONCURRENTLY: tenant_hosts is read on every public host resolution; no write lock.
CREATE INDEX CONCURRENTLY IF NOT EXISTS tenant_hosts_tenant_property_idx
  ON tenant_service.tenant_hosts(tenant_id, property_id);
