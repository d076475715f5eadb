"""The one policy for an app's stored pictures: an LRUCache bounded in bytes, keyed by what the
picture shows, and a picture drawn on a background is used only while that background stays."""

from .lru import LRUCache


class PictureCache:
    """PNG pictures by key, the least recently used forgotten beyond `max_bytes`.

    put(key, picture, background): with a background, the picture is valid only while the app
    draws on that same background (a prerendered frame); without one, whatever is drawn (a chart
    of precomputed results, keyed by the controls' values).
    """

    def __init__(self, max_bytes):
        self._entries = LRUCache(max_bytes=max_bytes)

    def __contains__(self, key):
        return key in self._entries

    def put(self, key, picture, background=None):
        self._entries.put(key, (picture, background), size=len(picture) + 100)

    def get(self, key, background=None):
        """The picture stored under `key`, or None (none stored, or drawn on another background)."""
        entry = self._entries.get(key)
        if entry is None or (entry[1] is not None and entry[1] is not background):
            return None
        return entry[0]

    def clear(self):
        self._entries.clear()
