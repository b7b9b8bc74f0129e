"""Which identity-resolution path a load takes (docs/identity-resolution.md, "Which path a load
takes"): the one the measured cost model says is cheaper, so a load of any size costs at most
about the load plus one full resolve."""

from __future__ import annotations

from graphsvc.services import resolution as r


def test_a_daily_feed_into_a_large_register_is_scored_one_by_one() -> None:
    assert r.resolve_path(1_000, 1_000_000, 50_000) == "incremental"
    assert r.resolve_path(2, 4, 50_000) == "incremental"  # a full resolve's fixed cost outweighs two persons


def test_a_first_load_or_a_large_share_of_the_register_takes_one_full_resolve() -> None:
    assert r.resolve_path(30_000, 30_000, 50_000) == "full"  # the first load of a register
    assert r.resolve_path(100_000, 1_000_000, 200_000) == "full"


def test_the_crossover_is_where_the_two_costs_meet() -> None:
    register = 200_000
    full = r.FULL_FIXED_S + register * r.FULL_S_PER_PERSON
    at = round(full / r.INCREMENTAL_S_PER_PERSON)
    assert r.resolve_path(at - 1, register, 10**9) == "incremental"
    assert r.resolve_path(at + 1, register, 10**9) == "full"


def test_never_more_than_the_limit_one_by_one() -> None:
    assert r.resolve_path(11, 10**9, 10) == "full"
