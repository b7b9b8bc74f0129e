// Delete the outbox entries $change_ids (element ids), once applied to the pattern state.
UNWIND $change_ids AS cid
MATCH (c:StateChange) WHERE elementId(c) = cid
DELETE c
RETURN count(*) AS deleted
