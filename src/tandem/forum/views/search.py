"""Searching the posts a person may read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tandem.accounts.requests import current_user
from tandem.forum.forms import SearchForm
from tandem.forum.links import published_post_urls
from tandem.forum.search import (
    SearchBusyError,
    TooManySearchesError,
    check_search_rate,
    highlight,
    search_posts,
)

RESULTS_PER_PAGE = 20


def search(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = None
    if query:
        try:
            check_search_rate(user)
            results = search_posts(user, query)
        except TooManySearchesError:
            # The form is bound, so the box keeps what the person typed.
            form.add_error(
                None, _("You have searched many times in a minute. Wait a minute, then try again.")
            )
            return _refused(request, form, query, status=429)
        except SearchBusyError:
            form.add_error(None, _("Search is busy, try a shorter or more exact search."))
            return _refused(request, form, query, status=200)
        page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    posts = list(page.object_list) if page else []
    # Each result links to the page of its topic where the post is, not to the first page.
    urls = published_post_urls(posts)
    hits = [(post, highlight(post.body, query), urls[post.pk]) for post in posts]
    context = {"form": form, "query": query, "page": page, "hits": hits}
    return render(request, "forum/search.html", context)


def _refused(request: HttpRequest, form: SearchForm, query: str, *, status: int) -> HttpResponse:
    """The search page with the form and its message, no results (``refused`` hides "Nothing
    found": nothing was searched)."""
    context = {"form": form, "query": query, "page": None, "hits": [], "refused": True}
    return render(request, "forum/search.html", context, status=status)
