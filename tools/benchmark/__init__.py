"""The benchmark behind `make bench` (tools/bench.py runs it), one module per part:

- common.py: what every part shares (the proxy's headers, the admin list, BenchError…).
- database.py: the benchmark database of each size (tools/bench_data.py builds it) and the
  production-like environment served from it; a throwaway redis-server for --redis.
- targets.py: the pages measured, chosen from the data, and the article's static copy.
- in_process.py: queries and median render times, in this process with the page cache off.
- load.py: gunicorn (tools/serving.py) under wrk, round-robin over the targets; the workers'
  CPU time and peak memory.
- admin.py: the signed-in consultation list over HTTP.
- submissions.py: many consultation forms sent at the same moment, then counted in the database.
- wagtail.py: a stock Wagtail 8 article page (installed from PyPI once), served beside ours.
- scale.py: every public page at 2,000 articles and at N, and the rare-word search on SQLite
  and on a throwaway PostgreSQL.
- report.py: the PASS/MISS targets, the table, and the results as JSON.
"""
