"""One report for every benchmark: ``benchmarks/REPORT.md``, a single Markdown table of each
figure beside its baseline measured in the same run, the ratio, the spread over the repeats,
the target and whether it is met.

Each benchmark measures its subject and its baseline alternately (baseline, subject, baseline,
subject, …) so that a change in the machine's load hits both alike, then hands its rows to a
``Report``. ``Report.save()`` keeps the benchmark's rows in ``benchmarks/results/<name>.json``
(one file per benchmark, replaced by its next run) and rewrites REPORT.md from every such file,
so running one benchmark alone updates its rows and keeps the others'.

Adding a benchmark is a few lines::

    from report import Report, alternate, at_most, elapsed_ms, ratio_at_least

    report = Report("bench_thing", "What it measures, at what scale")
    subject, baseline = alternate(
        lambda: elapsed_ms(run_thing), lambda: elapsed_ms(run_raw_sql), repeats=REPEATS
    )
    report.row("thing, 10,000 rows", "ms", subject, baseline, target=at_most(50))
    report.save()

``alternate`` takes two callables that each return one measurement (a time, a rate: whatever
the row's unit is) and returns the two lists. A row's figure is the median of its measurements;
its spread is their min-max. ``baseline`` may be None for a figure without one (peak memory).
A target bounds either the figure (``at_most``, ``at_least``) or the ratio to the baseline
(``ratio_at_least``, ``ratio_at_most``); ``None`` for a figure shown for scale only.

Knobs for every benchmark (environment): ``BENCH_REPEATS`` (default 5) and ``BENCH_SCALE`` (a
factor on the generated sizes, default 1; the rows name the sizes they ran at).

    .venv/bin/python benchmarks/report.py   # rewrites REPORT.md from the saved results
"""

import json
import os
import platform
import re
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
REPORT = HERE / "REPORT.md"

REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
SCALE = float(os.environ.get("BENCH_SCALE", "1"))


def scaled(size: int) -> int:
    """``size`` times BENCH_SCALE (at least 1)."""
    return max(1, round(size * SCALE))


def elapsed_ms(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1000


def alternate(
    subject: Callable[[], float],
    baseline: Callable[[], float],
    *,
    repeats: int = REPEATS,
    warm_up: bool = True,
) -> tuple[list[float], list[float]]:
    """``repeats`` measurements of each, baseline then subject in turn (after one unmeasured
    run of each when ``warm_up``, to fill the caches)."""
    if warm_up:
        baseline()
        subject()
    subjects, baselines = [], []
    for _ in range(repeats):
        baselines.append(baseline())
        subjects.append(subject())
    return subjects, baselines


@dataclass(frozen=True)
class Target:
    """A bound on the figure (``of="figure"``) or on the ratio to the baseline."""

    of: str
    bound: float
    at_most: bool

    def met(self, figure: float, ratio: float | None) -> bool:
        value = figure if self.of == "figure" else ratio
        if value is None:
            return False
        return value <= self.bound if self.at_most else value >= self.bound

    def text(self, unit: str) -> str:
        sign = "≤" if self.at_most else "≥"
        if self.of == "figure":
            return f"{sign} {self.bound:.3g} {unit}"
        return f"{sign} {self.bound:.2g} of the baseline"


def at_most(bound: float) -> Target:
    return Target("figure", bound, at_most=True)


def at_least(bound: float) -> Target:
    return Target("figure", bound, at_most=False)


def ratio_at_least(bound: float) -> Target:
    return Target("ratio", bound, at_most=False)


def ratio_at_most(bound: float) -> Target:
    return Target("ratio", bound, at_most=True)


@dataclass(frozen=True)
class Row:
    label: str
    unit: str
    subject: list[float]
    baseline: list[float] | None
    baseline_label: str
    target: Target | None

    @property
    def figure(self) -> float:
        return statistics.median(self.subject)

    @property
    def baseline_figure(self) -> float | None:
        return statistics.median(self.baseline) if self.baseline else None

    @property
    def ratio(self) -> float | None:
        base = self.baseline_figure
        return self.figure / base if base else None


class Report:
    """The rows of one benchmark (``name``, e.g. the script's name without ``.py``)."""

    def __init__(self, name: str, title: str) -> None:
        self.name, self.title = name, title
        self.rows: list[Row] = []

    def row(
        self,
        label: str,
        unit: str,
        subject: list[float],
        baseline: list[float] | None = None,
        *,
        target: Target | None = None,
        baseline_label: str = "",
    ) -> Row:
        row = Row(
            label, unit, list(subject), list(baseline) if baseline else None, baseline_label, target
        )
        self.rows.append(row)
        print(_line(row), flush=True)
        return row

    def save(self) -> Path:
        RESULTS.mkdir(exist_ok=True)
        data = {
            "name": self.name,
            "title": self.title,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "scale": SCALE,
            # The machine's one-minute load average at the end: the absolute times follow it.
            "load": round(os.getloadavg()[0], 1),
            "rows": [asdict(row) for row in self.rows],
        }
        (RESULTS / f"{self.name}.json").write_text(json.dumps(data, indent=1))
        return write_report()


def _number(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 10 else f"{value:.1f}"


def _line(row: Row) -> str:
    base = "" if row.baseline_figure is None else f" vs {_number(row.baseline_figure)}"
    ratio = "" if row.ratio is None else f" ({row.ratio:.2f})"
    return f"  {row.label}: {_number(row.figure)} {row.unit}{base}{ratio}  {_verdict(row)}"


def _verdict(row: Row) -> str:
    if row.target is None:
        return "—"
    return "pass" if row.target.met(row.figure, row.ratio) else "**FAIL**"


def _spread(values: list[float] | None) -> str:
    if not values:
        return ""
    return f"{_number(min(values))}-{_number(max(values))}"


def _machine() -> str:
    try:
        postgres = subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, check=False
        ).stdout.split()[2]
    except (OSError, IndexError):
        postgres = "?"
    return (
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PostgreSQL client {postgres}"
    )


def _kept(names: set[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The table rows and notes REPORT.md holds now for each benchmark not in ``names``: a
    benchmark run alone (or on a fresh clone, where ``results/`` is empty) replaces only its
    own rows and keeps the others' figures."""
    rows: dict[str, list[str]] = {}
    notes: dict[str, list[str]] = {}
    if not REPORT.exists():
        return rows, notes
    current = ""
    for line in REPORT.read_text().splitlines():
        if started := re.match(r"\| `(\w+)` \(", line):
            current = started.group(1)
        elif noted := re.match(r"- `(\w+)`: ", line):
            if noted.group(1) not in names:
                notes[noted.group(1)] = [line]
            current = ""
            continue
        elif not line.startswith("|  |"):
            current = ""
        if current and current not in names:
            rows.setdefault(current, []).append(line)
    return rows, notes


def write_report() -> Path:
    """REPORT.md from every saved benchmark result, beside the rows kept for the others."""
    results = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))]
    kept_rows, kept_notes = _kept({result["name"] for result in results})
    lines = [
        "# Benchmark report",
        "",
        "Written by `make bench` (benchmarks/report.py) — do not edit by hand. Each figure is the",
        "median of its repeats, measured alternately with its baseline in the same run; the",
        "spread is the min-max of the figure's repeats (the baseline's in brackets).",
        "",
        f"Machine: {_machine()}. Load: the one-minute load average when the benchmark ended.",
        "",
        "| benchmark | figure | value | baseline (same run) | ratio | spread (n) | target "
        "| result |",
        "|---|---|--:|--:|--:|---|---|---|",
    ]
    sections: dict[str, list[str]] = dict(kept_rows)
    for result in results:
        sections[result["name"]] = table = []
        scale = "" if result["scale"] == 1 else f", BENCH_SCALE={result['scale']:g}"
        load = f", load {result['load']:g}" if "load" in result else ""
        finished = result["finished"][:16].replace("T", " ")
        name = f"`{result['name']}` ({finished} UTC{load}{scale})"
        for data in result["rows"]:
            bound = data.pop("target")
            row = Row(**data, target=Target(**bound) if bound else None)
            base = row.baseline_figure
            baseline = "" if base is None else f"{_number(base)} {row.unit}"
            if base is not None and row.baseline_label:
                baseline += f" ({row.baseline_label})"
            spread = _spread(row.subject)
            if row.baseline:
                spread += f" [{_spread(row.baseline)}]"
            ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
            target = row.target.text(row.unit) if row.target else ""
            table.append(
                f"| {name} | {row.label} | {_number(row.figure)} {row.unit} | {baseline} | "
                f"{ratio} | {spread} ({len(row.subject)}) | {target} | {_verdict(row)} |"
            )
            name = ""
    for name in sorted(sections):
        lines += sections[name]
    notes = dict(kept_notes)
    for result in results:
        notes[result["name"]] = [f"- `{result['name']}`: {result['title']}"]
    for name in sorted(notes):
        lines += ["", *notes[name]]
    REPORT.write_text("\n".join(lines) + "\n")
    return REPORT


if __name__ == "__main__":
    print(write_report())
