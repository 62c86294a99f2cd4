"""Running a community from the portal, without a developer (issue 19): organisation admins
create, edit, archive and lock communities and their categories, set who may join, and publish
new versions of the code of conduct (with what changed); admins and moderators lock a
community and set its pre-moderation, slow mode and limits. Every change is written to the
audit log (``services.audit.record``).

It lives in moderation because it changes both the forum's ``Community`` and moderation's
``CommunitySettings`` in one transaction; the forum never imports moderation.
"""
