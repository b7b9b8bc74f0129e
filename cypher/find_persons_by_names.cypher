// Persons by the full-text index person_names ($q is a Lucene query built from name tokens).
CALL db.index.fulltext.queryNodes('person_names', $q, {limit: $limit}) YIELD node, score
RETURN node.id AS person_id, score
