"""Full-text search over articles, through the index that migration 0013_search_index builds:
an FTS5 table on SQLite, a stored tsvector column on PostgreSQL. The Post model has no field
for either, so the queries here name them directly."""

import re

from django.db.models import F, FloatField, Func, Value
from django.db.models.expressions import Expression, RawSQL
from django.utils.functional import cached_property

HAS_LETTER_OR_DIGIT = re.compile(r"[^\W_]")  # what FTS5's unicode61 tokenizer indexes


def sqlite_match(query):
    """An FTS5 query for posts containing every word of `query`: each word quoted as an FTS5
    string (so `OR`, `NEAR`, `*`, `-`, `^` or a colon are only words), or None when no word
    has a letter or digit to look for."""
    words = [word for word in query.split() if HAS_LETTER_OR_DIGIT.search(word)]
    if not words:
        return None
    return " ".join('"{}"'.format(word.replace('"', '""')) for word in words)


class SQLiteRank(Func):
    """bm25 of a post (by its id) against an FTS5 query: lower is better.

    The matches are ranked once, into a materialized table where each post finds its rank:
    ranking in a subquery of its own per post would run the full-text query again for every
    post (12 s instead of 0.1 s for a word found in 20,000 articles)."""

    # bm25's weights for title, summary and body. bm25 counts repeats of a word less and less,
    # so a title needs a large weight to stay above a body that says the word many times (as
    # PostgreSQL's ts_rank keeps a title, weighted A, above any body, weighted C).
    template = (
        "(WITH ranked AS MATERIALIZED ("
        "SELECT rowid AS post_id, bm25(blog_post_search, 100.0, 10.0, 1.0) AS rank "
        "FROM blog_post_search WHERE blog_post_search MATCH {match}"
        ") SELECT rank FROM ranked WHERE post_id = {post})"
    )
    output_field = FloatField()

    def __init__(self, match, post="pk"):
        super().__init__(Value(match), post)

    def as_sql(self, compiler, connection, **extra_context):
        (match, match_params), (post, post_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return self.template.format(match=match, post=post), [*match_params, *post_params]


def search_sqlite(posts, query):
    match = sqlite_match(query)
    if match is None:
        return posts.none()
    matching_ids = RawSQL(
        "SELECT rowid FROM blog_post_search WHERE blog_post_search MATCH %s", [match]
    )
    return (
        posts.filter(pk__in=matching_ids)
        .annotate(rank=SQLiteRank(match))
        .order_by("rank", "-published_at", "-pk")
    )


class StoredDocument(Expression):
    """The tsvector column that PostgreSQL computes for each post (in table `alias`)."""

    def __init__(self, alias=None):
        super().__init__()
        self.alias = alias

    @cached_property
    def output_field(self):
        from django.contrib.postgres.search import SearchVectorField

        return SearchVectorField()

    def resolve_expression(self, query=None, *args, **kwargs):
        return StoredDocument(query.get_initial_alias())

    def relabeled_clone(self, relabels):
        return StoredDocument(relabels.get(self.alias, self.alias))

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name_unless_alias(self.alias)}.search_document", []


def search_postgresql(posts, query):
    from django.contrib.postgres.search import SearchQuery, SearchRank

    search_query = SearchQuery(query, search_type="websearch", config="english")
    return (
        posts.alias(document=StoredDocument())
        .filter(document=search_query)
        .annotate(rank=SearchRank(F("document"), search_query))
        .order_by("-rank", "-published_at", "-pk")
    )
