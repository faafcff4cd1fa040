"""The pure parts of the HTTP load harness and of the topology script: no server, no wrk."""

from pathlib import Path

import pytest

from bench.http.load import WrkRun, rate_limit_pause
from deploy import topology

WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:56100
  2 threads and 64 connections
  6000 requests in 3.00s, 1.00MB read
WRK_JSON {"requests": 6000, "duration_us": 3000000, "bytes": 1048576, "connect_errors": 1, "read_errors": 2, \
"write_errors": 0, "status_errors": 3, "timeouts": 4, "p50_us": 9500, "p90_us": 20000, "p99_us": 48000, \
"max_us": 90000, "mean_us": 11000.5, "wrapped": 0}
"""


def test_wrk_results_are_read_from_the_done_hook() -> None:
    run = WrkRun.from_wrk(WRK_OUTPUT)
    assert run.requests == 6000
    assert run.rate == pytest.approx(2000.0)
    assert (run.p50_ms, run.p99_ms, run.max_ms) == (9.5, 48.0, 90.0)
    assert run.non_2xx == 3
    assert run.socket_errors == 1 + 2 + 4


def test_wrk_output_without_results_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="no results"):
        WrkRun.from_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_wrong_flag_runs_wait_until_nobody_would_pass_the_limit() -> None:
    assert rate_limit_pause([], limit=10, expected=0, now=100.0) == 0
    # Two runs of 4 per player in the last minute: a third of 4 would make 12 > 10.
    history = [(50.0, 4), (70.0, 4)]
    assert rate_limit_pause(history, limit=10, expected=4, now=100.0) == pytest.approx(10.0)
    assert rate_limit_pause(history, limit=10, expected=2, now=100.0) == 0
    assert rate_limit_pause(history, limit=10, expected=4, now=111.0) == 0  # the first left the window
    assert rate_limit_pause(history, limit=0, expected=99, now=100.0) == 0  # no limit


def test_nginx_configuration_from_the_template(tmp_path: Path) -> None:
    text = topology.render_nginx(
        state=tmp_path,
        logs=tmp_path / "logs",
        data_dir=tmp_path / "data",
        port=8080,
        app_ports=[9001, 9002, 9003],
        access_log=False,
        worker_connections=16384,
        extra_static=[("/_ceiling/", str(tmp_path / "ceiling"))],
    )
    assert "{{" not in text
    assert "listen 127.0.0.1:8080" in text
    assert [line.split()[1] for line in text.splitlines() if line.strip().startswith("server 127.0.0.1:")] == [
        "127.0.0.1:9001",
        "127.0.0.1:9002",
        "127.0.0.1:9003",
    ]
    assert "proxy_buffering off" in text  # the live stream
    assert "keepalive 128" in text
    assert f"alias {tmp_path / 'ceiling'}/;" in text
    assert "access_log off;" in text
