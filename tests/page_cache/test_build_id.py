"""The build id, in every cached page's key, changes with the visitor pages' templates."""

from page_cache import middleware


def test_a_changed_visitor_template_starts_a_new_set_of_pages(tmp_path, monkeypatch):
    template = tmp_path / "templates" / "jinja2" / "blog" / "post_detail.html"
    template.parent.mkdir(parents=True)
    template.write_text("<h1>{{ post.title }}</h1>\n")
    monkeypatch.setattr(middleware, "BASE_DIR", tmp_path)
    before = middleware.build_id.__wrapped__()

    template.write_text('<h1 class="title">{{ post.title }}</h1>\n')

    assert middleware.build_id.__wrapped__() != before
