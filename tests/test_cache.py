"""The Redis cache backend (config/cache.py): Django's, with one redis-py client per connection pool."""

import os

import pytest

from config.cache import RedisCache
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
