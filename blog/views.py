import re
from http import HTTPStatus

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import patch_cache_control

from page_cache.decorators import public_page
from staff.admin_site import is_verified_staff

from .models import Author, Post, Series, Topic
from .seo import post_structured_data

POSTS_PER_PAGE = 10
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def can_preview(user):
    """Staff who may see drafts and scheduled posts at their address."""
    return is_verified_staff(user) and user.has_perm("blog.view_post")


class IdsFirstPaginator(Paginator):
    """Finds a page's posts by id first, then loads only those.

    An OFFSET over whole rows reads every skipped article, text and all: page 150 took 2.5
    times as long as page 1 with 2,000 posts. Skipping ids in an index costs almost nothing.
    """

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        end = min(start + self.per_page, self.count)
        ids = self.object_list.values_list("pk", flat=True)
        if self.count - end < start and _ordered_by_id(self.object_list):
            # Nearer the end: skip from there, so the last page costs what the first does.
            ids = ids.reverse()[self.count - end : self.count - start]
        else:
            ids = ids[start:end]
        return self._get_page(list(self.object_list.filter(pk__in=list(ids))), number, self)


def _ordered_by_id(queryset):
    """Ordered to the last row (the id decides ties), so it reads the same backwards."""
    ordering = queryset.query.order_by
    return bool(ordering) and ordering[-1] in {"pk", "-pk", "id", "-id"}


def paginate(request, queryset):
    """The page that ?page= asks for. Anything but a page that exists, written plainly, is not
    found: every page has one address (and so one entry in the page cache)."""
    number = request.GET.get("page", "1")
    if not PAGE_NUMBER.fullmatch(number):
        raise Http404("No such page.")
    try:
        return IdsFirstPaginator(queryset, POSTS_PER_PAGE).page(number)
    except InvalidPage:
        raise Http404("No such page.") from None


@public_page(query=["page"])
def post_list(request):
    page = paginate(request, Post.objects.published().for_listing())
    return render(request, "blog/post_list.html", {"page_obj": page})


@public_page
def post_detail(request, slug):
    if can_preview(request.user):  # drafts and scheduled articles too
        post = Post.objects.for_article_page().filter(slug=slug).first()
    else:
        post = Post.public_article(slug)
    if post is None:
        return post_gone(request, slug)

    series_parts = post.series.part_headlines() if post.series_id else []
    previous_post, next_post = post.neighbours(series_parts)
    context = {
        "post": post,
        "series_parts": series_parts,
        # Visitors see the published parts numbered 1, 2, 3… even if a part in between is not out.
        "part_number": next((n for n, p in enumerate(series_parts, 1) if p.pk == post.pk), None),
        "previous_post": previous_post,
        "next_post": next_post,
        "related_posts": post.related_reading(),
        "structured_data": post_structured_data(post, request),
    }
    response = render(request, "blog/post_detail.html", context)
    if not post.is_public:
        patch_cache_control(response, private=True, no_store=True)  # a staff-only preview
    return response


def post_gone(request, slug):
    """410 for an article that was taken down, 404 for one that never was."""
    gone = Post.objects.taken_down().filter(slug=slug).select_related("series").first()
    if gone is None:
        raise Http404("No such article.")  # blog.middleware redirects an old address
    series = gone.series if gone.series and gone.series.published_parts().exists() else None
    context = {"title": gone.title, "series": series}
    return render(request, "blog/post_gone.html", context, status=HTTPStatus.GONE)


@public_page
def series_detail(request, slug):
    series = get_object_or_404(Series.objects.with_published_parts(), slug=slug)
    # What its contents show of each part: a long series is not read text and all.
    parts = series.published_parts().only("title", "slug", "summary", "reading_minutes", "series")
    return render(request, "blog/series_detail.html", {"series": series, "parts": parts})


@public_page(query=["page"])
def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    posts = Post.objects.published().tagged(topic).for_listing()
    page = paginate(request, posts)
    if not page.object_list:
        raise Http404("No published articles on this topic.")
    return render(request, "blog/topic_detail.html", {"topic": topic, "page_obj": page})


@public_page(query=["page"])
def author_detail(request, slug):
    author = get_object_or_404(Author.objects.select_related("user"), slug=slug)
    page = paginate(request, Post.objects.published().filter(author=author.user).for_listing())
    return render(request, "blog/author_detail.html", {"author": author, "page_obj": page})


def search(request):
    # Control characters (NUL among them) mean nothing in a search and upset PostgreSQL.
    query = CONTROL_CHARACTERS.sub(" ", request.GET.get("q", "")).strip()[:200]
    page = None
    if query:
        results = Post.objects.published().search(query)
        page = paginate(request, results.select_related("series", "author__author_profile"))
    return render(request, "blog/search.html", {"query": query, "page_obj": page})
