from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from config.network import client_address

# One more request in a window's counter, which lives as long as the window from its first request.
_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class AnonymousSearchThrottle(AnonRateThrottle):
    """Anonymous API requests per client address at settings.API_ANON_RATE, read per request (DRF reads its
    rates once, at import); the counts live in the default cache, Redis when REDIS_URL is set.

    A fixed window with one counter per address (DRF's own keeps every request's time in a list that the cache
    reads and writes whole on each request: up to the rate's size, a cost that grows with the allowance). At the
    edge of two windows a client may send up to twice the rate in a short burst."""

    def get_rate(self) -> str:
        return settings.API_ANON_RATE

    def get_ident(self, request) -> str:
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        window = int(self.timer() // self.duration)
        self.window_ends = (window + 1) * self.duration
        return self.counted(f"{self.key}:{window}", self.duration + 1) <= self.num_requests

    def counted(self, counter: str, seconds: int) -> int:
        """Adds one to `counter` (kept `seconds` from its first count) and returns it: in Redis one round trip,
        a script Redis runs atomically (the cache's own add and incr are three: SET NX, EXISTS, INCRBY)."""
        backend = getattr(self.cache, "_cache", None)
        if backend is not None and hasattr(backend, "get_client"):
            key = self.cache.make_and_validate_key(counter)
            return int(backend.get_client(key, write=True).eval(_COUNT, 1, key, seconds))
        self.cache.add(counter, 0, seconds)
        try:
            return self.cache.incr(counter)
        except ValueError:  # the counter expired between add and incr
            self.cache.set(counter, 1, seconds)
            return 1

    def wait(self) -> float:
        return max(1.0, self.window_ends - self.timer())
