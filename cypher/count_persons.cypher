// How many person nodes the register holds (from the count store): the size a load's choice of
// identity-resolution path weighs its persons against.
MATCH (p:Person)
RETURN count(p) AS persons
