// The register's write counter: +1 in every transaction that writes person, incident or order
// records (the loader's batches, POST /records), run last in the transaction so its lock is held
// only until the commit. Part of the fingerprint of the cached register-wide jobs
// (get_register_mark): a record replaced in place, which leaves every count the same, still
// changes the fingerprint. Service bookkeeping, not register data (list_graph_nodes leaves it out).
MERGE (v:RegisterVersion {id: 'register'})
SET v.n = coalesce(v.n, 0) + 1
