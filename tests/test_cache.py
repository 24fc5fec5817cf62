"""The Redis cache backend (config/cache.py): Django's, with one redis-py client per connection pool."""

import os

import pytest
from django.core.cache.backends.locmem import LocMemCache

from config.cache import RedisCache, count_and_get_many
from tests.test_scaling import redis_is_running

pytestmark = pytest.mark.skipif(
    not redis_is_running() and not os.environ.get("CI"), reason="no Redis on 127.0.0.1:6379"
)


def test_every_command_on_one_server_goes_through_one_client():
    cache = RedisCache("redis://127.0.0.1:6379/6", {})
    assert cache._cache.get_client("a") is cache._cache.get_client("b", write=True)
    cache.set("directory-test-count", 1, timeout=30)
    assert cache.incr("directory-test-count") == 2
    assert cache.get_many(["directory-test-count", "directory-test-missing"]) == {"directory-test-count": 2}
    cache.delete("directory-test-count")


def test_reads_spread_over_the_other_servers_each_through_its_own_client():
    cache = RedisCache("redis://127.0.0.1:6379/6,redis://127.0.0.1:6379/7", {})
    writer, reader = cache._cache.get_client(write=True), cache._cache.get_client()
    assert writer is not reader
    assert writer.connection_pool.connection_kwargs["db"] == 6 and reader.connection_pool.connection_kwargs["db"] == 7
    assert cache._cache.get_client() is reader


@pytest.mark.parametrize("kind", ["redis", "memory"])
def test_a_count_and_the_keys_it_read_come_back_together(kind):
    cache = RedisCache("redis://127.0.0.1:6379/6", {}) if kind == "redis" else LocMemCache("count-and-read", {})
    cache.delete_many(["directory-test-window", "directory-test-answer"])
    cache.set("directory-test-answer", {"body": "[]"}, timeout=30)
    try:
        first = count_and_get_many(cache, "directory-test-window", 30, ["directory-test-answer", "directory-test-none"])
        second = count_and_get_many(cache, "directory-test-window", 30, [])
    finally:
        cache.delete_many(["directory-test-window", "directory-test-answer"])
    assert first == (1, {"directory-test-answer": {"body": "[]"}})  # a key not in the cache is left out
    assert second == (2, {})


def test_in_redis_the_count_lives_as_long_as_asked_from_its_first_request():
    cache = RedisCache("redis://127.0.0.1:6379/6", {})
    cache.delete("directory-test-window")
    try:
        count_and_get_many(cache, "directory-test-window", 30, [])
        cache._cache.get_client().expire(cache.make_key("directory-test-window"), 10)
        count_and_get_many(cache, "directory-test-window", 30, [])  # a later count does not extend it
        lifetime = cache._cache.get_client().ttl(cache.make_key("directory-test-window"))
    finally:
        cache.delete("directory-test-window")
    assert 0 < lifetime <= 10
