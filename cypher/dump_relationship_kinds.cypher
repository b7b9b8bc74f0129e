// The relationship types in use and the property keys each holds (see dump_node_kinds); a type
// holding no property has the key null.
CALL db.schema.relTypeProperties() YIELD relType, propertyName
RETURN relType AS type, collect(DISTINCT propertyName) AS keys
