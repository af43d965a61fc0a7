"""RSS 2.0 and Atom feeds of published articles, with their full sanitized text."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from .models import Post
from .seo import absolutize_html

FEED_LENGTH = 20


class RssWithContent(Rss201rev2Feed):
    """RSS with the whole article in <content:encoded>, the summary in <description>."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])


class AtomWithContent(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


class LatestPostsFeed(Feed):
    feed_type = RssWithContent
    title = f"{settings.PRACTICE_NAME}: articles"
    description = "New articles on therapy and ketamine-assisted psychotherapy."

    def get_object(self, request):
        # This request's site address, handed on to items(): one Feed serves every request, so
        # nothing about a request may be kept on it. (Links get the address from Django.)
        return request.build_absolute_uri("/")

    def link(self):
        return reverse("blog:post_list")

    def items(self, site_url):
        # A listing, but with the full text: feed readers show whole articles, with links and
        # images that work on another site.
        posts = Post.objects.published().for_listing().defer(None).prefetch_related("topics")
        posts = list(posts[:FEED_LENGTH])
        for post in posts:
            post.feed_content = absolutize_html(post.body_html, site_url)
        return posts

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        # A summary is plain text, but RSS readers read <description> (and Atom's
        # <summary type="html">) as HTML: escaped, "<img onerror=…>" stays words on a screen.
        return escape(post.summary)

    def item_pubdate(self, post):
        return post.published_at

    def item_updateddate(self, post):
        return post.updated_at

    def item_author_name(self, post):
        return str(post.byline)

    def item_categories(self, post):
        return [topic.name for topic in post.topics.all()]

    def item_extra_kwargs(self, post):
        return {"content_html": post.feed_content}


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = AtomWithContent
    subtitle = LatestPostsFeed.description
