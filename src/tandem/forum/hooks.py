"""What the forum asks of whoever moderates it, registered from outside.

The forum publishes posts; screening them (limits, mutes, watched words, the risk screen) and
barring suspended members belong to the moderation app, which depends on the forum and never
the reverse. Moderation registers here in its ``AppConfig.ready()``:

- :func:`register_post_screen`: the screen every topic, reply and edit passes (one object,
  see :class:`PostScreen`). With none registered, posting is refused (HTTP 503, the text is
  kept by the view): in a space where people in crisis read, publishing unscreened would be
  the unsafe failure, and a refusal loses nothing.
- :func:`register_membership_bar`: a condition, in SQL, that shuts a community for a member
  (a suspension). It becomes part of the one membership query (``forum.rules``), so the gate
  stays one query. With none registered nobody is barred: without moderation there is nobody
  to suspend anyone.
- :func:`register_page_hints`: what forum pages show from moderation (guidance, slow mode,
  reminders, visits for trust). Without it pages show none of these.
- :func:`register_trust_rules`: what a person's trust level lets them do in the forum itself
  (mention people outside their circles, start circles; ``moderation.trust`` defines the
  levels), and the name of a person's level for their page in a community. Without it everyone
  may: with no moderation there are no trust levels.

The same pattern as ``notifications.scopes`` and ``core.encrypted_values``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext as _

from tandem.forum.errors import PostingLimitError

if TYPE_CHECKING:
    from tandem.accounts.models import User
    from tandem.forum.models import Community, Post, Topic


class PreparedPost(Protocol):
    """The screen's answer before publishing: the text to save (watched words replaced)."""

    @property
    def body(self) -> str: ...


class ScreenedPost(Protocol):
    """The screen's answer after publishing: whether the post is now held for a moderator."""

    @property
    def held(self) -> bool: ...


class PostScreen(Protocol):
    def check_before_publish(
        self, *, author: User, community: Community, body: str, topic: Topic | None = None
    ) -> PreparedPost:
        """Refuse the post (raise ``PostingLimitError`` or ``ValidationError``) or return the
        text to publish. ``topic`` is None for a new topic."""

    def apply_watched_words(self, *, community: Community, body: str) -> PreparedPost:
        """The edit's text to save (an edit passes watched words, not the posting limits)."""

    def screen_published_post(
        self, *, post: Post, community: Community, prepared: PreparedPost, is_edit: bool = False
    ) -> ScreenedPost:
        """Screen a post just saved (in the same transaction); hold it when a rule says so."""


class PageHints(Protocol):
    def record_visit(self, *, user: User, community: Community) -> None: ...

    def needs_guidance(self, body: str) -> bool: ...

    def post_needs_reminder(self, post: Post) -> bool: ...

    def slow_mode_minutes(self, topic: Topic) -> int | None: ...


class TrustRules(Protocol):
    def may_mention_anyone(self, *, user: User, community: Community) -> bool:
        """Whether ``user``'s mentions notify people who share no circle with them."""

    def may_create_circles(self, *, user: User, community: Community) -> bool: ...

    def level_name(self, *, user: User, community: Community) -> str | None:
        """The name of ``user``'s trust level in ``community``, shown on their page there;
        None where there are no levels."""


@dataclass(frozen=True)
class MembershipBar:
    """``sql``: a condition over the community aliased ``c`` and the parameter ``%(user)s``,
    true when the person may not enter the community now. ``params``: its own parameters,
    read at each query (they may hold the time); their names must not clash with the
    forum's (prefix them)."""

    sql: str
    params: Callable[[], dict[str, Any]]


class _Unscreened:
    """Stands in while nothing screens posts: every publish is refused."""

    def _refuse(self) -> PostingLimitError:
        return PostingLimitError(
            _("Posting is paused just now. Your text is kept: please try again later."),
            status=503,
        )

    def check_before_publish(
        self, *, author: User, community: Community, body: str, topic: Topic | None = None
    ) -> PreparedPost:
        raise self._refuse()

    def apply_watched_words(self, *, community: Community, body: str) -> PreparedPost:
        raise self._refuse()

    def screen_published_post(
        self, *, post: Post, community: Community, prepared: PreparedPost, is_edit: bool = False
    ) -> ScreenedPost:
        raise self._refuse()


class _NoHints:
    def record_visit(self, *, user: User, community: Community) -> None:
        return None

    def needs_guidance(self, body: str) -> bool:
        return False

    def post_needs_reminder(self, post: Post) -> bool:
        return False

    def slow_mode_minutes(self, topic: Topic) -> int | None:
        return None


class _EveryoneTrusted:
    def may_mention_anyone(self, *, user: User, community: Community) -> bool:
        return True

    def may_create_circles(self, *, user: User, community: Community) -> bool:
        return True

    def level_name(self, *, user: User, community: Community) -> str | None:
        return None


_screen: PostScreen = _Unscreened()
_trust: TrustRules = _EveryoneTrusted()
_hints: PageHints = _NoHints()
_bars: dict[str, MembershipBar] = {}


def register_post_screen(screen: PostScreen) -> None:
    global _screen
    _screen = screen


def post_screen() -> PostScreen:
    return _screen


def register_page_hints(hints: PageHints) -> None:
    global _hints
    _hints = hints


def page_hints() -> PageHints:
    return _hints


def register_trust_rules(rules: TrustRules) -> None:
    global _trust
    _trust = rules


def trust_rules() -> TrustRules:
    return _trust


def everyone_trusted() -> TrustRules:
    """The rules in force without moderation (tests about the forum alone use them)."""
    return _EveryoneTrusted()


def register_membership_bar(name: str, bar: MembershipBar) -> None:
    """Register (or replace: ``ready()`` may run again in tests) the bar called ``name``."""
    _bars[name] = bar


def membership_bars() -> list[MembershipBar]:
    return [_bars[name] for name in sorted(_bars)]
