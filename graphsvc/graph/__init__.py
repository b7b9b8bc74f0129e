"""The database edge: the driver, the local Neo4j, the query catalogue and the schema."""
