from django.urls import path

from page_cache.decorators import public_page

from . import feeds, subscription_views, views

app_name = "blog"

urlpatterns = [
    path("", views.post_list, name="post_list"),
    path("search/", views.search, name="search"),
    path("feed/", public_page(feeds.LatestPostsFeed()), name="feed_rss"),
    path("feed/atom/", public_page(feeds.LatestPostsAtomFeed()), name="feed_atom"),
    path("subscribe/", subscription_views.subscribe, name="subscribe"),
    path("subscribe/sent/", subscription_views.subscribe_sent, name="subscribe_sent"),
    path(
        "subscribe/confirm/<str:token>/",
        subscription_views.subscribe_confirm,
        name="subscribe_confirm",
    ),
    path("unsubscribe/<str:token>/", subscription_views.unsubscribe, name="unsubscribe"),
    path("series/<slug:slug>/", views.series_detail, name="series_detail"),
    path("topic/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("author/<slug:slug>/", views.author_detail, name="author_detail"),
    path("<slug:slug>/", views.post_detail, name="post_detail"),
]
