-- member_read on tenants reads memberships: it must go before memberships does.
DROP POLICY member_read ON tenant_service.tenants;
DROP TABLE theme_config.api_clients;
DROP TABLE theme_config.memberships;
DROP TABLE tenant_service.tenant_hosts;
DROP TABLE tenant_service.properties;
DROP TABLE tenant_service.tenants;
DROP FUNCTION tenant_service.set_updated_at();
