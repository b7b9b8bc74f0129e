// The graph's schema: every statement idempotent (IF NOT EXISTS), applied at start-up.
// The one file allowed several statements; each ends with a semicolon.
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT incident_id IF NOT EXISTS FOR (n:Incident) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT order_id IF NOT EXISTS FOR (n:Order) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT phone_value IF NOT EXISTS FOR (n:Phone) REQUIRE n.value IS UNIQUE;
CREATE CONSTRAINT email_value IF NOT EXISTS FOR (n:Email) REQUIRE n.value IS UNIQUE;
CREATE CONSTRAINT handle_value IF NOT EXISTS FOR (n:Handle) REQUIRE n.value IS UNIQUE;
CREATE CONSTRAINT vehicle_value IF NOT EXISTS FOR (n:Vehicle) REQUIRE n.value IS UNIQUE;
CREATE CONSTRAINT address_key IF NOT EXISTS FOR (n:Address) REQUIRE n.key IS UNIQUE;
CREATE CONSTRAINT agency_code IF NOT EXISTS FOR (n:Agency) REQUIRE n.code IS UNIQUE;
CREATE CONSTRAINT api_key_id IF NOT EXISTS FOR (n:ApiKey) REQUIRE n.key_id IS UNIQUE;
CREATE CONSTRAINT audit_seq IF NOT EXISTS FOR (n:AuditEntry) REQUIRE n.seq IS UNIQUE;
CREATE CONSTRAINT audit_head_id IF NOT EXISTS FOR (n:AuditHead) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT schema_migration_id IF NOT EXISTS FOR (n:SchemaMigration) REQUIRE n.id IS UNIQUE;
CREATE INDEX person_dob IF NOT EXISTS FOR (n:Person) ON (n.dob);
CREATE INDEX person_family_key IF NOT EXISTS FOR (n:Person) ON (n.family_key);
CREATE INDEX person_source IF NOT EXISTS FOR (n:Person) ON (n.source);
CREATE INDEX incident_occurred_at IF NOT EXISTS FOR (n:Incident) ON (n.occurred_at);
CREATE INDEX incident_type IF NOT EXISTS FOR (n:Incident) ON (n.type);
CREATE INDEX incident_source IF NOT EXISTS FOR (n:Incident) ON (n.source);
CREATE INDEX order_issued_on IF NOT EXISTS FOR (n:Order) ON (n.issued_on);
CREATE INDEX order_expires_on IF NOT EXISTS FOR (n:Order) ON (n.expires_on);
CREATE INDEX address_postcode IF NOT EXISTS FOR (n:Address) ON (n.postcode);
CREATE INDEX audit_at IF NOT EXISTS FOR (n:AuditEntry) ON (n.at);
CREATE INDEX identity_link_updated_at IF NOT EXISTS FOR ()-[r:POSSIBLY_SAME_AS]-() ON (r.updated_at);
CREATE INDEX identity_link_decided_at IF NOT EXISTS FOR ()-[r:POSSIBLY_SAME_AS]-() ON (r.decided_at);
CREATE INDEX identity_link_status IF NOT EXISTS FOR ()-[r:POSSIBLY_SAME_AS]-() ON (r.status);
CREATE FULLTEXT INDEX person_names IF NOT EXISTS FOR (n:Person) ON EACH [n.given_name, n.family_name, n.aliases_text];
