# The page cache has no models. This module makes it a models app, which is what Django sends
# post_migrate to (page_cache/apps.py creates the cache table then).
