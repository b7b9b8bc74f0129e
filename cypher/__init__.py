"""Cypher query files: one query per file, named verb_noun, loaded by graphsvc.graph.queries."""
