"""Tandem's settings (``DJANGO_SETTINGS_MODULE=tandem.settings``), all read from the environment.

With nothing set it runs in dev mode on SQLite with no other service. ``TANDEM_ENV`` is
``dev`` (default), ``test`` or ``prod``; in ``prod`` missing secrets stop the process at start.

One module per topic; each declares its settings and imports what it reads from the modules
before it (``environment`` first: the mode, the folders and the ``env_*`` helpers)."""

# isort: off
# In this order: a later module may read an earlier one's values, and prod stops at the first
# missing secret.
from tandem.settings.environment import *  # noqa: F403
from tandem.settings.security import *  # noqa: F403
from tandem.settings.application import *  # noqa: F403
from tandem.settings.data import *  # noqa: F403
from tandem.settings.auth import *  # noqa: F403
from tandem.settings.mail import *  # noqa: F403
from tandem.settings.product import *  # noqa: F403
from tandem.settings.logs import *  # noqa: F403
# isort: on
