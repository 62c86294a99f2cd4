"""Searching the posts a person may read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.accounts.requests import current_user
from tandem.forum.forms import SearchForm
from tandem.forum.links import published_post_urls
from tandem.forum.search import highlight, search_posts

RESULTS_PER_PAGE = 20


def search(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = search_posts(user, query)
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page")) if query else None
    posts = list(page.object_list) if page else []
    # Each result links to the page of its topic where the post is, not to the first page.
    urls = published_post_urls(posts)
    hits = [(post, highlight(post.body, query), urls[post.pk]) for post in posts]
    context = {"form": form, "query": query, "page": page, "hits": hits}
    return render(request, "forum/search.html", context)
