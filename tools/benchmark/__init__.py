"""The benchmark behind `make bench` (tools/bench.py runs it), one module per part:

- common.py: what every part shares (the proxy's headers, the admin list, BenchError…).
- database.py: the benchmark database (tools/bench_data.py builds it) and the production-like
  environment served from it; a throwaway redis-server for --redis.
- targets.py: the pages measured, chosen from the data.
- in_process.py: queries and median render times, in this process with the page cache off.
- load.py: gunicorn (tools/serving.py) under wrk, round-robin over the targets; the workers'
  CPU time and peak memory.
- admin.py: the signed-in consultation list over HTTP.
- submissions.py: many consultation forms sent at the same moment, then counted in the database.
- report.py: the PASS/MISS targets, the table, and the results as JSON.
"""
