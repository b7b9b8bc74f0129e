// Set the pattern state's settings and ages ($props: a map; a null value removes the property).
MERGE (m:PatternState {name: 'serial'})
SET m += $props
RETURN m {.*} AS meta
