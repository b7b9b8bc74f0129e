// Placeholders (references to records not loaded) that hold more than their id and the
// placeholder mark: another property, or an identity link at either end. Every other placeholder
// is made again by the references in the records; these are dumped as node state (placeholder
// mark included) with the identity links from them. Few or none: returned in one answer.
CALL () {
  MATCH (n:Person) WHERE n.placeholder IS NOT NULL RETURN n, 'Person' AS label
  UNION ALL
  MATCH (n:Incident) WHERE n.placeholder IS NOT NULL RETURN n, 'Incident' AS label
  UNION ALL
  MATCH (n:Order) WHERE n.placeholder IS NOT NULL RETURN n, 'Order' AS label
  UNION ALL
  MATCH (n:Registration) WHERE n.placeholder IS NOT NULL RETURN n, 'Registration' AS label
  UNION ALL
  MATCH (n:Notification) WHERE n.placeholder IS NOT NULL RETURN n, 'Notification' AS label
}
WITH n, label
WHERE any(k IN keys(n) WHERE NOT k IN ['id', 'placeholder']) OR EXISTS { (n)-[:POSSIBLY_SAME_AS]-() }
RETURN label, properties(n) AS props,
       [k IN keys(n) WHERE valueType(n[k]) CONTAINS 'ZONED DATETIME' |
        [k, CASE WHEN valueType(n[k]) STARTS WITH 'LIST' THEN [x IN n[k] | toString(x)] ELSE [toString(n[k])] END]] AS zoned,
       labels(n) AS labels,
       [(n)-[r:POSSIBLY_SAME_AS]->(b:Person) |
        {b: b.id, props: properties(r),
         zoned: [k IN keys(r) WHERE valueType(r[k]) CONTAINS 'ZONED DATETIME' |
                 [k, CASE WHEN valueType(r[k]) STARTS WITH 'LIST' THEN [x IN r[k] | toString(x)] ELSE [toString(r[k])] END]]}] AS links
ORDER BY label, n.id
