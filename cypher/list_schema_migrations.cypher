// The data migrations already applied to this database (graphsvc.db.MIGRATIONS).
MATCH (m:SchemaMigration)
RETURN m.id AS id
