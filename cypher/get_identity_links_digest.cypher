// What says whether any POSSIBLY_SAME_AS link changed, without reading the links: how many there
// are, the latest change of a proposal (merge_identity_links moves updated_at when a value
// changes), the latest human decision, and how many links stand confirmed and rejected (an undo
// clears decided_at, so the counts catch it). The serial ranking caches on this: its key was the
// whole link list, read on every request (3 s and a 140 MB key at 1M people; this scan 0.24 s).
MATCH ()-[r:POSSIBLY_SAME_AS]->()
RETURN count(r) AS links, max(r.updated_at) AS updated_at, max(r.decided_at) AS decided_at,
       count(CASE WHEN r.status = 'confirmed' THEN 1 END) AS confirmed,
       count(CASE WHEN r.status = 'rejected' THEN 1 END) AS rejected
