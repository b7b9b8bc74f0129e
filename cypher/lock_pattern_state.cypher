// The pattern state's one node (name 'serial'): its settings, when it was built and last applied
// to. Written first in every transaction that applies to the state, so appliers (any process,
// any replica) queue here and each reads the records as the one before it left them.
MERGE (m:PatternState {name: 'serial'})
SET m.locked_at = datetime()
RETURN m {.*} AS meta
