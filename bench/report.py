"""Render the JSON results of the benchmarks as a Markdown table.

    python -m bench.report generate.json standings.json submissions.json [--output PATH] [--title TEXT]

Files may be given in any order; each says which benchmark wrote it. Missing ones are skipped.
"""

import argparse
import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def seconds(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value >= 1:
        return f"{value:.2f} s"
    return f"{value * 1000:.1f} ms"


def render(results: dict[str, dict[str, Any]], title: str) -> str:
    lines: list[str] = []
    machine: dict[str, Any] = next((data["machine"] for data in results.values() if "machine" in data), {})
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines.append(f"## {title}")
    lines.append("")
    if machine:
        loads = ", ".join(
            f"{name} {data['machine']['load_average_1min']}"
            for name, data in results.items()
            if "load_average_1min" in data.get("machine", {})
        )
        lines.append(
            f"{machine['version']}, Python {machine['python']}, {machine['cpus']} CPUs, cache {machine['cache']}"
            f" ({machine['platform']}); {when}."
            + (f" Load average (1 min) when each step began: {loads}." if loads else "")
        )
        lines.append("")
    generate = results.get("generate")
    standings = results.get("standings")
    submissions = results.get("submissions")
    if generate:
        counts = generate["counts"]
        lines.append(
            f"Event: {counts['users']:,} users, {counts['teams']:,} teams, {counts['challenges']} challenges,"
            f" {counts['solves']:,} solves, {counts['submissions']:,} submissions"
            f" ({counts['submissions'] - counts['solves']:,} wrong), {counts['awards']} awards,"
            f" {counts['hint_unlocks']:,} hint unlocks. Generated in {generate['total_s']:.1f} s"
            f" (submissions and solves: {generate['phases_s'].get('submissions and solves', 0):.1f} s)."
        )
        lines.append("")
    if standings:
        sizes = standings["sizes"]
        if not generate:
            lines.append(
                f"Event: {sizes['solves']:,} solves, {sizes['teams']:,} teams, {sizes['challenges']} challenges."
            )
            lines.append("")
        lines.append("| Standings | median | spread | queries | samples |")
        lines.append("| --- | ---: | ---: | ---: | ---: |")
        for name, data in standings["recompute"].items():
            lines.append(
                f"| full recompute, `{name}` | {seconds(data['median_s'])}"
                f" | {seconds(data['min_s'])} – {seconds(data['max_s'])} | {data['queries']} | {data['runs']} |"
            )
        refresh = standings["refresh_after_solve"]
        lines.append(
            f"| **new solve committed → both snapshots stored** ({refresh.get('mode', 'inline')} refresh)"
            f" | **{seconds(refresh['median_s'])}** | p90 {seconds(refresh['p90_s'])}, max {seconds(refresh['max_s'])}"
            f" | {refresh['queries']} | {refresh['solves']} |"
        )
        parts = standings["breakdown"]
        lines.append(f"| of one refresh: loading the rows (queries, conversion) | {seconds(parts['load_s'])} | | 5 | |")
        lines.append(
            f"| of one refresh: building one view from them (pure scoring) | {seconds(parts['build_s'])} | | 0 | |"
        )
        lines.append(
            f"| pickling one snapshot for the cache ({parts['pickle_bytes'] / 1024:.0f} KiB)"
            f" | {seconds(parts['pickle_s'])} | | | 1 |"
        )
        lines.append("")
    if submissions:
        lines.append(
            "| Submissions, in-process `submission_attempt` | attempts/s | p50 | p99 | attempts"
            " | standings refreshes | standings current after |"
        )
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, data in submissions["runs"].items():
            refreshes = current = ""
            if "refresh_count" in data:
                refreshes = f"{data['refresh_count']} × {seconds(data['refresh_median_s'])}"
                current = f"{data['caught_up_s']:.1f} s"
            lines.append(
                f"| {name} | {data['per_second']:.1f} | {seconds(data['p50_s'])} | {seconds(data['p99_s'])}"
                f" | {data['attempts']:,} | {refreshes} | {current} |"
            )
        queries = submissions.get("queries_per_attempt", {})
        if queries:
            lines.append("")
            lines.append(
                f"Queries per attempt in the submitting thread: wrong flag {queries.get('wrong')},"
                f" correct flag {queries.get('correct')}."
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", help="JSON files written with --json")
    parser.add_argument("--output", default=None, help="also write the Markdown to this file")
    parser.add_argument("--title", default="Benchmark results", help="heading of the table")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, Any]] = {}
    for name in args.files:
        path = Path(name)
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            results[str(data["benchmark"])] = data
    markdown = render(results, args.title)
    print(markdown)
    if args.output:
        target = Path(args.output)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
