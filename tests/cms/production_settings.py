"""The production settings module as a given environment makes it, read without touching the running ones."""

from __future__ import annotations

import importlib
import os
import socket
import sys
from types import ModuleType
from unittest import mock

import cms.settings

MODULES = ("cms.settings.base", "cms.settings.production")


def production_settings(**env: str) -> ModuleType:
    """cms.settings.production (and the base it star-imports) evaluated afresh under `env`."""
    saved = {name: sys.modules.pop(name, None) for name in MODULES}
    attributes = {name: getattr(cms.settings, name.rsplit(".", 1)[1], None) for name in MODULES}
    try:
        with mock.patch.dict(os.environ, {"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "testserver", **env}):
            return importlib.import_module("cms.settings.production")
    finally:
        for name in MODULES:
            sys.modules.pop(name, None)
            if saved[name] is not None:
                sys.modules[name] = saved[name]
            short = name.rsplit(".", 1)[1]
            if attributes[name] is not None:
                setattr(cms.settings, short, attributes[name])


def closed_port() -> int:
    """A port nothing listens on: connecting to it is refused at once (as to a stopped Redis)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
