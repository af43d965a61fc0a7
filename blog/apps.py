from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Blog"

    def ready(self):
        import licensing
        from images.sizes import on_sizes_made
        from page_cache.versions import changes_next, watch

        from .stored_images import offer_new_sizes

        Post = self.get_model("Post")
        # What public pages show (a byline shows the author's profile); a scheduled post goes
        # live at its time with nobody saving anything.
        watch(Post, self.get_model("Series"), self.get_model("Topic"), self.get_model("Author"))
        # Related reading the admin saves row by row, not through the many-to-many field.
        watch(self.get_model("RelatedReading"))
        changes_next(Post.objects.next_publication_time)
        # The consultation form serves the states the clinicians are licensed in.
        licensing.register_source(self.get_model("Author").objects.licensed_states)
        # Articles and series store their HTML: make_image_sizes has them store it again.
        on_sizes_made(offer_new_sizes)
