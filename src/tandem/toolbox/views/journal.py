"""The private journal, sharing entry by entry, and comments on entries."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.accounts.models import User
from tandem.accounts.requests import current_user
from tandem.care import selectors as care_selectors
from tandem.care import services as care_services
from tandem.care.access import (
    ItemAccess,
    get_item_access_for_viewer,
    get_owner_for_viewer,
    get_relationship_for_service_user,
)
from tandem.care.models import Level, Module
from tandem.core.forms import attach_service_error
from tandem.toolbox import access, selectors, services
from tandem.toolbox.forms import (
    CommentForm,
    JournalEntryForm,
    ShareForm,
)
from tandem.toolbox.models import JournalEntry
from tandem.toolbox.selectors.access_log import JOURNAL_ENTRY
from tandem.toolbox.views.common import (
    confirm_delete,
    form_page,
    keeps_typed_comment,
    page_context,
    paginate,
    toolbox_owner,
)


def _journal_list_page(
    request: HttpRequest, owner: User, viewer: User, *, read_only: bool
) -> HttpResponse:
    entries = (
        selectors.journal_shared_with(viewer, owner)
        if read_only
        else selectors.journal_for_owner(owner)
    )
    return render(
        request,
        "toolbox/journal_list.html",
        {"page_obj": paginate(request, entries), **page_context(owner, read_only)},
    )


@require_GET
@toolbox_owner
def journal_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return _journal_list_page(request, user, user, read_only=False)


@require_http_methods(["GET", "POST"])
@toolbox_owner
def journal_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = JournalEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.write_journal_entry(owner=user, **form.cleaned_data)
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Your entry is saved. Only you can see it."))
            return redirect("toolbox:journal-detail", entry_id=entry.pk)
    return form_page(
        request,
        form,
        title=_("New journal entry"),
        submit=_("Save entry"),
        cancel_url=reverse("toolbox:journal-list"),
        status=400 if form.errors else 200,
    )


def _journal_detail_page(
    request: HttpRequest,
    owner: User,
    entry: JournalEntry,
    *,
    read_only: bool,
    can_comment: bool,
    comment_form: CommentForm | None = None,
    share_form: ShareForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "entry": entry,
        "comments": care_selectors.comments_for_items(owner, Module.JOURNAL, [entry.pk])[entry.pk],
        "can_comment": can_comment,
        "comment_form": comment_form or (CommentForm() if can_comment else None),
        "comment_action": (
            reverse("toolbox:shared-journal-comment", args=[owner.pk, entry.pk])
            if read_only
            else reverse("toolbox:journal-comment", args=[entry.pk])
        ),
        **page_context(owner, read_only),
    }
    if not read_only:
        shares = selectors.shares_of_entry(entry)
        shared_ids = {share.relationship_id for share in shares}
        targets = selectors.share_targets(owner)
        unshared = [t.relationship for t in targets if t.relationship.pk not in shared_ids]
        context |= {
            "shares": shares,
            "targets": targets,
            "share_form": share_form or (ShareForm(relationships=unshared) if unshared else None),
        }
    return render(request, "toolbox/journal_detail.html", context, status=status)


@require_GET
@toolbox_owner
def journal_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = current_user(request)
    entry = access.get_journal_entry_for_owner(user, entry_id)
    return _journal_detail_page(request, user, entry, read_only=False, can_comment=True)


@require_http_methods(["GET", "POST"])
@toolbox_owner
def journal_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = current_user(request)
    entry = access.get_journal_entry_for_owner(user, entry_id)
    form = JournalEntryForm(
        request.POST or None, initial={"title": entry.title, "body": entry.body}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_journal_entry(owner=user, entry=entry, **form.cleaned_data)
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Your entry is saved."))
            return redirect("toolbox:journal-detail", entry_id=entry.pk)
    return form_page(
        request,
        form,
        title=_("Change journal entry"),
        intro=_("Anyone you shared this entry with will see your changes."),
        submit=_("Save entry"),
        cancel_url=reverse("toolbox:journal-detail", args=[entry.pk]),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@toolbox_owner
def journal_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = current_user(request)
    entry = access.get_journal_entry_for_owner(user, entry_id)
    if request.method == "POST":
        services.delete_journal_entry(owner=user, entry=entry)
        messages.success(request, _("The entry is deleted."))
        return redirect("toolbox:journal-list")
    return confirm_delete(
        request,
        title=_("Delete this journal entry?"),
        what=_("“%(title)s” and the comments on it will be deleted for good.")
        % {"title": entry.title},
        cancel_url=reverse("toolbox:journal-detail", args=[entry.pk]),
    )


@require_POST
@toolbox_owner
def journal_share(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = current_user(request)
    entry = access.get_journal_entry_for_owner(user, entry_id)
    targets = [t.relationship for t in selectors.share_targets(user)]
    form = ShareForm(request.POST, relationships=targets)
    if form.is_valid():
        relationship = form.cleaned_data["relationship"]
        try:
            services.share_journal_entry(owner=user, entry=entry, relationship=relationship)
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(
                request,
                _("This entry is now shared with %(name)s.")
                % {"name": relationship.provider.get_full_name()},
            )
            return redirect(reverse("toolbox:journal-detail", args=[entry.pk]) + "#sharing")
    return _journal_detail_page(
        request, user, entry, read_only=False, can_comment=True, share_form=form, status=400
    )


@require_POST
@toolbox_owner
def journal_unshare(request: HttpRequest, entry_id: int, relationship_id: int) -> HttpResponse:
    user = current_user(request)
    entry = access.get_journal_entry_for_owner(user, entry_id)
    # Unsharing also works after a relationship ended: any of the owner's relationships.
    relationship = get_relationship_for_service_user(user, relationship_id)
    services.unshare_journal_entry(owner=user, entry=entry, relationship=relationship)
    messages.success(
        request,
        _("%(name)s can no longer see this entry.")
        % {"name": relationship.provider.get_full_name()},
    )
    return redirect(reverse("toolbox:journal-detail", args=[entry.pk]) + "#sharing")


@require_POST
@toolbox_owner
def journal_comment(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = current_user(request)
    entry = access.get_journal_entry_for_owner(user, entry_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            care_services.add_comment(
                author=user,
                owner=user,
                module=Module.JOURNAL,
                item_id=entry.pk,
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Your comment is added."))
            return redirect(reverse("toolbox:journal-detail", args=[entry.pk]) + "#comments")
    return _journal_detail_page(
        request, user, entry, read_only=False, can_comment=True, comment_form=form, status=400
    )


@require_GET
def shared_journal(request: HttpRequest, owner_id: int) -> HttpResponse:
    owner = get_owner_for_viewer(request.user, owner_id, Module.JOURNAL)
    return _journal_list_page(request, owner, current_user(request), read_only=True)


def _shared_entry(
    request: HttpRequest, owner_id: int, entry_id: int, *, need: int
) -> ItemAccess[JournalEntry]:
    """The care gate for one of ``owner_id``'s journal entries shared with the viewer: the
    entry, and the read recorded as a read of that entry (once per visit)."""
    viewer = current_user(request)
    return get_item_access_for_viewer(
        viewer,
        owner_id,
        Module.JOURNAL,
        kind=JOURNAL_ENTRY,
        fetch=lambda owner: access.get_shared_journal_entry_for_viewer(viewer, owner, entry_id),
        need=need,
    )


@require_GET
def shared_journal_detail(request: HttpRequest, owner_id: int, entry_id: int) -> HttpResponse:
    # The gate's answer says whether the viewer may comment: no second look at the grant.
    read = _shared_entry(request, owner_id, entry_id, need=Level.VIEW)
    return _journal_detail_page(
        request, read.seen.owner, read.item, read_only=True, can_comment=read.seen.may_comment
    )


@require_POST
@keeps_typed_comment
def shared_journal_comment(request: HttpRequest, owner_id: int, entry_id: int) -> HttpResponse:
    read = _shared_entry(request, owner_id, entry_id, need=Level.COMMENT)
    seen, owner, entry = read.seen, read.seen.owner, read.item
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            care_services.add_comment(
                author=current_user(request),
                owner=owner,
                module=Module.JOURNAL,
                item_id=entry.pk,
                body=form.cleaned_data["body"],
                owner_url=reverse("toolbox:journal-detail", args=[entry.pk]) + "#comments",
            )
        except ValidationError as error:
            attach_service_error(form, error)
        else:
            messages.success(request, _("Your comment is added."))
            return redirect(
                reverse("toolbox:shared-journal-detail", args=[owner.pk, entry.pk]) + "#comments"
            )
    return _journal_detail_page(
        request,
        owner,
        entry,
        read_only=True,
        can_comment=seen.may_comment,
        comment_form=form,
        status=400,
    )
