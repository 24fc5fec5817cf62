from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from config.cache import count_and_get_many
from config.network import client_address


class AnonymousSearchThrottle(AnonRateThrottle):
    """Anonymous API requests per client address at settings.API_ANON_RATE, read per request (DRF reads its
    rates once, at import); the counts live in the default cache, Redis when REDIS_URL is set.

    A fixed window with one counter per address (DRF's own keeps every request's time in a list that the cache
    reads and writes whole on each request: up to the rate's size, a cost that grows with the allowance). At the
    edge of two windows a client may send up to twice the rate in a short burst.

    A view with a `keys_read_with_count()` method has those cache keys read in the same round trip as the count
    (in Redis, one command: see config/cache.py) and finds the values in its `read_with_count`, a dict like
    get_many's; a view whose request is not counted (a signed-in user's) is given nothing and reads them itself."""

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
        keys = view.keys_read_with_count() if hasattr(view, "keys_read_with_count") else []
        count, read = count_and_get_many(self.cache, f"{self.key}:{window}", self.duration + 1, keys)
        if keys:
            view.read_with_count = read
        return count <= self.num_requests

    def wait(self) -> float:
        return max(1.0, self.window_ends - self.timer())
