from django.apps import AppConfig


class SeedConfig(AppConfig):
    """Registered so that `seed_demo` and `seed_scale` are management commands; no models,
    no screens (so no translated name either)."""

    name = "seed"
    verbose_name = "Demonstration and scale data"
