"""A dict bounded in bytes, for the apps' caches of computed runs (and the text cache)."""

import functools
import sys
from collections import OrderedDict


class LRUCache:
    """A dict that forgets its least recently used entries once they hold more than `max_bytes`.

    For apps that cache computed runs per setting: a learner can visit thousands of settings, and
    the kernel (1-2 GB on Binder) must not grow with them. Sizes are estimated by `nbytes`
    (numpy arrays, bytes, and containers and objects made of them).
    """

    def __init__(self, max_bytes=20_000_000):
        self.max_bytes = int(max_bytes)
        self.bytes = 0
        self._entries = OrderedDict()              # key -> (value, size)

    def __contains__(self, key):
        return key in self._entries

    def __len__(self):
        return len(self._entries)

    def __iter__(self):
        """The keys, least recently used first (iterating uses none of them)."""
        return iter(self._entries)

    def __getitem__(self, key):
        value, _ = self._entries[key]
        self._entries.move_to_end(key)
        return value

    def get(self, key, default=None):
        return self[key] if key in self._entries else default

    def __setitem__(self, key, value):
        self.put(key, value)

    def put(self, key, value, size=None):
        """Store `value`; `size` in bytes if the caller knows it (else estimated by `nbytes`)."""
        if key in self._entries:
            self.bytes -= self._entries.pop(key)[1]
        size = nbytes(value) if size is None else int(size)
        self._entries[key] = (value, size)
        self.bytes += size
        while self.bytes > self.max_bytes and len(self._entries) > 1:
            _, (_, dropped) = self._entries.popitem(last=False)
            self.bytes -= dropped

    def fetch(self, key, compute):
        """The value under `key`; the first time (or once forgotten), `compute()` stored there."""
        if key not in self._entries:
            self.put(key, compute())
        return self[key]

    def clear(self):
        self._entries.clear()
        self.bytes = 0


def lru_cached(max_bytes):
    """functools.lru_cache, bounded in bytes: a function's results by its arguments in an LRUCache
    (`function.cache`)."""
    def decorate(function):
        cache = LRUCache(max_bytes=max_bytes)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            return cache.fetch((args, tuple(sorted(kwargs.items()))), lambda: function(*args, **kwargs))

        wrapper.cache = cache
        return wrapper
    return decorate


def nbytes(value, _seen=None):
    """Approximate memory held by `value`: arrays by their buffers, containers and plain objects
    by their contents (each object counted once)."""
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = getattr(value, "nbytes", None)
    if isinstance(size, int) and not callable(size):
        return size + 100
    if isinstance(value, (bytes, bytearray, str)):
        return len(value) + 50
    if isinstance(value, dict):
        return 50 + sum(nbytes(k, seen) + nbytes(v, seen) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return 50 + sum(nbytes(item, seen) for item in value)
    attributes = getattr(value, "__dict__", None)
    if isinstance(attributes, dict):
        return 50 + sum(nbytes(v, seen) for v in attributes.values())
    return sys.getsizeof(value)
