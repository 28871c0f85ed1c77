"""Finding what each app contributes (its demo data, its menu items) without the lower app that
gathers them importing the apps above it."""

import sys

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


def app_modules(name, *, exclude=()):
    """Each installed Clinlead app's `name` submodule (e.g. "demo"), in INSTALLED_APPS order.

    Django's `autodiscover_modules` imports them as the admin finds `admin.py`: an app without
    one is skipped, an error inside one is raised."""
    autodiscover_modules(name)
    names = [f"{config.name}.{name}" for config in apps.get_app_configs()
             if config.name.startswith("clinlead.") and config.name not in exclude]
    return [sys.modules[module] for module in names if module in sys.modules]
