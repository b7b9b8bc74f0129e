// Data migration for databases loaded before incidents carried the label Unidentified: labels
// every incident no person is linked to as offender, in transactions of 10,000 (auto-commit:
// CALL ... IN TRANSACTIONS). Idempotent, so a migration interrupted halfway is simply run again.
MATCH (i:Incident)
WHERE NOT i:Unidentified AND NOT EXISTS { (:Person)-[:OFFENDER_IN]->(i) }
CALL (i) { SET i:Unidentified } IN TRANSACTIONS OF 10000 ROWS
