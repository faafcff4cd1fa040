"""The HTTP load benchmark: bench.http.load drives the topology with wrk (see bench/README.md)."""
