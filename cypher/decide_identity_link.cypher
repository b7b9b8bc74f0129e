// A person's decision on the link $a -> $b: status, who, when and why (undo: back to 'proposed').
MATCH (:Person {id: $a})-[r:POSSIBLY_SAME_AS]->(:Person {id: $b})
SET r.status = $status, r.decided_by = $decided_by, r.decided_at = $decided_at, r.reason = $reason
RETURN r {.*} AS link
