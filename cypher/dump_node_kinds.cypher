// The label sets in use and the property keys each holds (the database's own survey, a full
// scan): the dump checks that it knows every one, so nothing is left out of a dump unnoticed.
CALL db.schema.nodeTypeProperties() YIELD nodeLabels, propertyName
RETURN nodeLabels AS labels, collect(DISTINCT propertyName) AS keys
