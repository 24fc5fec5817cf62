"""Django's Redis cache backend, with one redis-py client per connection pool instead of one per command.

Django's RedisCacheClient.get_client() makes a new redis.Redis for every command, and redis-py's Redis.__init__
builds its table of about 165 response callbacks each time (redis/redis-py#3624): here about 190 us a command,
twice a repeated API search (the throttle's count and the answer). A client holds nothing but its pool and is
safe to share between threads, so one per pool serves every command."""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


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
