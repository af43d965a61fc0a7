"""A full-text index of each article's title, summary and body, so search reads an index
instead of every article (PostQuerySet.search, blog/search.py).

Each database has its own kind, and the Post model knows neither, so the model is the same on
both and `makemigrations` has nothing to add:

- SQLite: an FTS5 table over blog_post. It is "external content": it keeps only the index and
  reads the text from blog_post itself, so the text is not stored twice. Triggers on blog_post
  keep it current whatever writes the rows (the admin, the importer, bulk_create, raw SQL). A
  later migration that makes SQLite rebuild blog_post (Django copies it into a new table and
  drops the old one, triggers and all) must create these triggers again; tests/blog/
  test_search.py fails if they are missing.
- PostgreSQL: a tsvector column that PostgreSQL computes and stores itself whenever a row is
  written (title weighted A, summary B, body C), with a GIN index. Changing the type of title,
  summary or body later means dropping this column first: PostgreSQL refuses otherwise.

Both index the articles already there as they are created.
"""

from django.db import migrations

SQLITE_INDEX = [
    # Porter stems English ("therapies" finds "therapy"); unicode61 folds case and, with
    # remove_diacritics 2, accents ("cafe" finds "café").
    """CREATE VIRTUAL TABLE blog_post_search USING fts5(
        title, summary, body,
        content='blog_post', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER blog_post_search_insert AFTER INSERT ON blog_post BEGIN
        INSERT INTO blog_post_search (rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body);
    END""",
    # An external-content index forgets a row by being told exactly what it indexed.
    """CREATE TRIGGER blog_post_search_delete AFTER DELETE ON blog_post BEGIN
        INSERT INTO blog_post_search (blog_post_search, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
    END""",
    # Only when the text changed: saving a post writes every column, and updates of other
    # columns (publication times, reviews) need no work here.
    """CREATE TRIGGER blog_post_search_update AFTER UPDATE OF id, title, summary, body
    ON blog_post
    WHEN old.id IS NOT new.id OR old.title IS NOT new.title
        OR old.summary IS NOT new.summary OR old.body IS NOT new.body
    BEGIN
        INSERT INTO blog_post_search (blog_post_search, rowid, title, summary, body)
        VALUES ('delete', old.id, old.title, old.summary, old.body);
        INSERT INTO blog_post_search (rowid, title, summary, body)
        VALUES (new.id, new.title, new.summary, new.body);
    END""",
    "INSERT INTO blog_post_search (blog_post_search) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER blog_post_search_update",
    "DROP TRIGGER blog_post_search_delete",
    "DROP TRIGGER blog_post_search_insert",
    "DROP TABLE blog_post_search",
]

POSTGRESQL_INDEX = [
    """ALTER TABLE blog_post ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
        || setweight(to_tsvector('english', coalesce(body, '')), 'C')
    ) STORED""",
    "CREATE INDEX blog_post_search_document ON blog_post USING gin (search_document)",
]
POSTGRESQL_DROP = [
    "DROP INDEX blog_post_search_document",
    "ALTER TABLE blog_post DROP COLUMN search_document",
]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0012_body_help"),
    ]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_INDEX, "postgresql": POSTGRESQL_INDEX}),
            run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
