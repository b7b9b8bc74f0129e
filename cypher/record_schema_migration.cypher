// Marks a data migration as applied (after its work committed).
MERGE (m:SchemaMigration {id: $id})
  ON CREATE SET m.applied_at = datetime()
RETURN m.id AS id
