from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle

from config.cache import count_and_get_many
from config.network import client_address

# Where count_unwrapped() leaves its count on the Django request, for allow_request() to find.
COUNTED = "_anonymous_search_counted"


@dataclass(frozen=True)
class Counted:
    allowed: bool
    window_ends: float
    read: dict | None  # the view's keys_read_with_count(), read with the count (None: not read)


class AnonymousSearchThrottle(AnonRateThrottle):
    """Anonymous API requests per client address at settings.API_ANON_RATE, read per request (DRF reads its
    rates once, at import); the counts live in the default cache, Redis when REDIS_URL is set.

    A fixed window with one counter per address (DRF's own keeps every request's time in a list that the cache
    reads and writes whole on each request: up to the rate's size, a cost that grows with the allowance). At the
    edge of two windows a client may send up to twice the rate in a short burst.

    A view with a `keys_read_with_count()` method has those cache keys read in the same round trip as the count
    (in Redis, one command: see config/cache.py) and finds the values in its `read_with_count`, a dict like
    get_many's; a view whose request is not counted (a signed-in user's) is given nothing and reads them itself.

    A view that authenticates nobody may count a request before DRF wraps it (count_unwrapped(): the API's valid
    searches are answered that way); DRF's check then finds that count and does not count the request again."""

    def get_rate(self) -> str:
        return settings.API_ANON_RATE

    def get_ident(self, request) -> str:
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        counted = getattr(request._request if isinstance(request, Request) else request, COUNTED, None)
        if counted is None:
            if self.rate is None:
                return True
            key = self.get_cache_key(request, view)
            if key is None:
                return True
            counted = self._count(key, view)
        self.window_ends = counted.window_ends
        if counted.read is not None:
            view.read_with_count = counted.read
        return counted.allowed

    def count_unwrapped(self, request: HttpRequest, view) -> Counted:
        """Counts a request DRF has not wrapped, of a view that authenticates nobody (so every request is
        anonymous, as get_cache_key() would find), and leaves the count on the request for allow_request()."""
        if self.rate is None:
            counted = Counted(allowed=True, window_ends=0.0, read=None)
        else:
            counted = self._count(self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}, view)
        setattr(request, COUNTED, counted)
        return counted

    def _count(self, key: str, view) -> Counted:
        window = int(self.timer() // self.duration)
        keys = view.keys_read_with_count() if hasattr(view, "keys_read_with_count") else []
        count, read = count_and_get_many(self.cache, f"{key}:{window}", self.duration + 1, keys)
        return Counted(count <= self.num_requests, (window + 1) * self.duration, read if keys else None)

    def wait(self) -> float:
        return max(1.0, self.window_ends - self.timer())
