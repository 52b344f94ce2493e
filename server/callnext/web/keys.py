"""Typed keys for everything the application holds, in one place."""

from __future__ import annotations

import jinja2
from aiohttp import web

from ..domain.identity import PersonKey
from ..live.hub import Hub
from ..live.snapshots import SnapshotCache
from ..printing.escpos import Printers
from ..runtime.config import Settings
from ..runtime.gc_watch import GcWatch
from ..runtime.health import Health
from ..runtime.metrics import Metrics
from ..runtime.ratelimit import RateLimiter
from ..store.database import Database
from ..store.notify import EventListener
from ..voice.announcer import Announcer

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
HUB = web.AppKey("hub", Hub)
SNAPSHOTS = web.AppKey("snapshots", SnapshotCache)  # each hall's snapshot, shared a second
LIMITER = web.AppKey("limiter", RateLimiter)
METRICS = web.AppKey("metrics", Metrics)
GC_WATCH = web.AppKey("gc_watch", GcWatch)
HEALTH = web.AppKey("health", Health)  # what /healthz tells: the listener, the writes
PRINTERS = web.AppKey("printers", Printers)
LISTENER = web.AppKey("listener", EventListener)  # PostgreSQL only: other processes' events
ANNOUNCER = web.AppKey("announcer", Announcer)  # the voice: announcement WAVs
TEMPLATES = web.AppKey("templates", jinja2.Environment)
# real-name tickets' digest keys, newest first (runtime/person_keys.py); empty: none here
PERSON_KEYS = web.AppKey("person_keys", tuple[PersonKey, ...])  # the pages' Jinja2 templates
