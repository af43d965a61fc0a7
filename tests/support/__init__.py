"""Helpers the tests share; each module says what it is:

- factories.py: valid objects (articles, series, staff in their roles, requests…) in one call.
- django_client.py: staff signing in with Django's test client.
- browser.py: staff signing in with Playwright; where screenshots go; the keyboard focus.
- servers.py: real gunicorn servers on the tests' settings (tools/serving.py starts them).
- http_client.py: visitors and clinicians talking HTTP to those servers.
- subprocess_django.py: Django in a fresh process, under production settings of its own.
- html_checks.py: whether sanitized HTML is inert, parsed as a browser would.
- hypothesis_setup.py: what the property-based tests share.
- wordpress.py: the old website's exports (tests/fixtures/wxr/) for the import tests.
"""
