"""pytest plugin loaded with ``-p`` before pytest-django reads the settings: selects test mode.

Browser tests run Playwright's sync API, which keeps an event loop in the main thread; the ORM
calls the tests make beside it are still plain synchronous calls, so Django's guard is relaxed.
"""

import os

os.environ.setdefault("TANDEM_ENV", "test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
