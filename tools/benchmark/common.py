"""What every part of the benchmark shares."""

import math

# What production's proxy adds (deploy/): the visitor is on HTTPS; with
# DJANGO_CLIENT_IP_HEADER=X-Forwarded-For the last address is the visitor's (tools.serving's
# HttpClient sends its `address` there).
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip, deflate, br"}
CLIENT_IP_HEADER = "X-Forwarded-For"
ADMIN_LIST = "/admin/consultations/consultationrequest/"
ADMIN_PATHS = {"admin list": ADMIN_LIST, "admin list overdue": ADMIN_LIST + "?overdue=yes"}
SUBMITTER = "Bench visitor"  # names of the rows the submission test stores (then deletes)


class BenchError(Exception):
    """The benchmark itself could not run."""


def percentile(values, percent):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]
