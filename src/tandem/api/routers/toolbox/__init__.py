"""The toolbox's modules: reads for their owner and, through the care gate, for the care team
(``reads``); changes by their owner (``writes``: ratings, goals, activities, journal;
``writes_lists``: medications, network map, crisis plan). One router, as a path may be read and written
(``GET`` and ``POST /people/{owner_id}/goals``)."""

from tandem.api.routers.toolbox import reads, writes, writes_lists
from tandem.api.routers.toolbox.gates import router

__all__ = ["reads", "router", "writes", "writes_lists"]
