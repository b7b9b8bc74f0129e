// Which of the alert keys $keys ("subscription|rule|what") were raised already: a rule fires
// once for one subscription and one cause, whatever rewrites or retries bring it back.
UNWIND $keys AS k
MATCH (a:Alert {key: k})
RETURN DISTINCT a.key AS key
