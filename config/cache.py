"""Django's Redis cache backend, with one redis-py client per connection pool instead of one per command.

Django's RedisCacheClient.get_client() makes a new redis.Redis for every command, and redis-py's Redis.__init__
builds its table of about 165 response callbacks each time (redis/redis-py#3624): here about 190 us a command
(a repeated API search then made two: the throttle's count and the answer). A client holds nothing but its pool
and is safe to share between threads, so one per pool serves every command.

count_and_get_many() counts a request in a window and reads the keys it will need in the same round trip: the
API's throttle and a repeated search's answer, one Redis command where they were two."""

from __future__ import annotations

from django.core.cache import BaseCache
from django.core.cache.backends import redis as django_redis

# One more count in KEYS[1] (which lives ARGV[1] seconds from its first count), then the values of the other keys:
# {count, value or false, ...}. Redis runs a script atomically, as one command.
_COUNT_AND_READ = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if #KEYS == 1 then return {count} end
return {count, unpack(redis.call('MGET', unpack(KEYS, 2)))}
"""


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}  # by the id of their pool, which the client keeps for good

    def get_client(self, key=None, *, write: bool = False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count_and_get_many(self, counter: str, seconds: int, keys: list[str]) -> tuple[int, dict]:
        """Adds one to `counter` (kept `seconds` from its first count) and reads `keys` (as get_many does): one
        round trip, to the server that takes the writes."""
        counted = self.make_and_validate_key(counter)
        made = [self.make_and_validate_key(key) for key in keys]
        client = self._cache.get_client(counted, write=True)
        count, *values = client.eval(_COUNT_AND_READ, 1 + len(made), counted, *made, seconds)
        loads = self._cache._serializer.loads
        return int(count), {key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None}


def count_and_get_many(cache: BaseCache, counter: str, seconds: int, keys: list[str]) -> tuple[int, dict]:
    """Adds one to `counter` (kept `seconds` from its first count) and reads `keys`: in one round trip in Redis;
    in any other cache (per-process memory in development and tests) with its own commands."""
    counted_in_one = getattr(cache, "count_and_get_many", None)  # asked by name: `cache` may be Django's proxy
    if counted_in_one is not None:
        return counted_in_one(counter, seconds, keys)
    cache.add(counter, 0, seconds)
    try:
        count = cache.incr(counter)
    except ValueError:  # the counter expired between add and incr
        cache.set(counter, 1, seconds)
        count = 1
    return count, cache.get_many(keys) if keys else {}
