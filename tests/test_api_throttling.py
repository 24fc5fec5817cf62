"""The API's throttle (directory/api/throttling.py): a fixed window per client address, counted in the cache."""

import os

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from tests.test_scaling import redis_is_running

REDIS = {"BACKEND": "config.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/5"}


@pytest.mark.django_db
def test_a_client_past_its_allowance_is_told_how_long_to_wait(client, settings):
    settings.API_ANON_RATE = "2/min"
    responses = [client.get(reverse("api:practitioner-list")) for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 429]
    assert 1 <= int(responses[-1]["Retry-After"]) <= 60


@pytest.mark.django_db
@pytest.mark.skipif(not redis_is_running() and not os.environ.get("CI"), reason="no Redis on 127.0.0.1:6379")
def test_in_redis_a_window_is_one_counter_that_expires_with_it(client, settings):
    settings.API_ANON_RATE = "2/min"
    server = redis.Redis.from_url(REDIS["LOCATION"])
    with override_settings(CACHES={"default": REDIS}):
        caches["default"].clear()
        try:
            statuses = [client.get(reverse("api:practitioner-list")).status_code for _ in range(3)]
            (counter,) = [key for key in server.scan_iter() if b"throttle_" in key]
            counted, lifetime = int(server.get(counter)), server.ttl(counter)
        finally:
            caches["default"].clear()
    assert statuses == [200, 200, 429]
    assert counted == 3 and 0 < lifetime <= 61
