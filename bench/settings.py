"""The service's settings, with the baseline views' URLs added (`bench.urls`)."""

from ecm.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
