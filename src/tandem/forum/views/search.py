"""Searching the posts a person may read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.accounts.requests import current_user
from tandem.forum.forms import SearchForm
from tandem.forum.search import highlight, search_posts

RESULTS_PER_PAGE = 20


def search(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = search_posts(user, query)
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page")) if query else None
    hits = [(post, highlight(post.body, query)) for post in page.object_list] if page else []
    context = {"form": form, "query": query, "page": page, "hits": hits}
    return render(request, "forum/search.html", context)
