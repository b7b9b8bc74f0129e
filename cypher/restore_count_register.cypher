// How many nodes of each label a dump writes the register holds (graphsvc restore loads into an
// empty register only). From the count store: no scan.
CALL () {
  MATCH (n:Person) RETURN 'Person' AS label, count(n) AS n
  UNION ALL
  MATCH (n:Incident) RETURN 'Incident' AS label, count(n) AS n
  UNION ALL
  MATCH (n:Order) RETURN 'Order' AS label, count(n) AS n
  UNION ALL
  MATCH (n:Registration) RETURN 'Registration' AS label, count(n) AS n
  UNION ALL
  MATCH (n:Notification) RETURN 'Notification' AS label, count(n) AS n
  UNION ALL
  MATCH (n:Subscription) RETURN 'Subscription' AS label, count(n) AS n
  UNION ALL
  MATCH (n:Alert) RETURN 'Alert' AS label, count(n) AS n
}
RETURN label, n
