from django.conf import settings
from rest_framework.throttling import AnonRateThrottle


class AnonymousSearchThrottle(AnonRateThrottle):
    """Anonymous API requests per client address at settings.API_ANON_RATE, read per request (DRF reads its
    rates once, at import); the counts live in the default cache, Redis when REDIS_URL is set."""

    def get_rate(self) -> str:
        return settings.API_ANON_RATE
