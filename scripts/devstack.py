"""Runs the processes of a Procfile together in one terminal: Longcode's web, worker and beat.

Each line of output is prefixed with its process's name. A process that exits is started again
(after 1 s, doubling up to 30 s while it keeps failing) while the others go on serving. Ctrl-C
stops them all. With ``--ready-url``, once that address answers and the processes have finished
starting (nothing printed for a moment), the ``--banner`` file (the demo logins) is printed below
what they printed.

    scripts/devstack.py [--procfile Procfile.dev] [--ready-url URL --banner FILE]
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

FIRST_DELAY = 1.0
LONGEST_DELAY = 30.0
# A process that stayed up this long counts as healthy: its next failure waits FIRST_DELAY again.
STEADY_AFTER = 60.0
STOP_GRACE = 10.0
COLOURS = ["36", "33", "35", "32", "34", "31"]

# The banner waits until the processes have said nothing for this long: they have started.
SETTLED_AFTER = 1.5

_print_lock = threading.Lock()
_last_output = time.monotonic()


def say(text: str) -> None:
    global _last_output
    with _print_lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
        _last_output = time.monotonic()


@dataclass
class Process:
    name: str
    command: str
    prefix: str
    popen: subprocess.Popen[str] | None = None
    started_at: float = 0.0
    delay: float = FIRST_DELAY
    restart_at: float | None = None
    reader: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> None:
        self.popen = subprocess.Popen(
            self.command,
            shell=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            # Its own process group: Ctrl-C reaches us alone, and we stop each group in turn.
            start_new_session=True,
        )
        self.started_at = time.monotonic()
        self.restart_at = None
        self.reader = threading.Thread(target=self._relay, args=(self.popen,), daemon=True)
        self.reader.start()
        say(f"{self.prefix}started (pid {self.popen.pid})")

    def _relay(self, popen: subprocess.Popen[str]) -> None:
        assert popen.stdout is not None
        for line in popen.stdout:
            say(self.prefix + line.rstrip("\n"))

    def check(self, now: float) -> None:
        """Schedules a restart when the process has exited; starts it when the time comes."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.start()
            return
        assert self.popen is not None
        code = self.popen.poll()
        if code is None:
            return
        if self.reader is not None:
            self.reader.join()  # its last lines first: they usually say why it stopped
        if now - self.started_at >= STEADY_AFTER:
            self.delay = FIRST_DELAY
        say(f"{self.prefix}exited with code {code}; starting it again in {self.delay:g} s")
        self.restart_at = now + self.delay
        self.delay = min(self.delay * 2, LONGEST_DELAY)

    def signal(self, signum: int) -> None:
        # The whole group: the shell of a Procfile line may have left its command running.
        if self.popen is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signum)

    def alive(self) -> bool:
        if self.popen is None:
            return False
        self.popen.poll()
        try:
            os.killpg(self.popen.pid, 0)
        except ProcessLookupError:
            return False
        return True


def read_procfile(path: Path) -> list[Process]:
    entries = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, command = line.partition(":")
            entries.append((name.strip(), command.strip()))
    width = max(len(name) for name, _ in entries)
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    processes = []
    for n, (name, command) in enumerate(entries):
        label = f"{name:<{width}} | "
        if colour:
            label = f"\033[{COLOURS[n % len(COLOURS)]}m{label}\033[0m"
        processes.append(Process(name=name, command=command, prefix=label))
    return processes


def print_banner_when_ready(url: str, banner: Path, stopping: threading.Event) -> None:
    answered = False
    while not stopping.wait(0.5):
        # Asked until it answers once: each request is itself a line of output.
        answered = answered or _answers(url)
        if answered and time.monotonic() - _last_output >= SETTLED_AFTER:
            say("")
            say(banner.read_text().rstrip("\n"))
            say("")
            return


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def stop_all(processes: list[Process]) -> None:
    for process in processes:
        process.signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    while any(process.alive() for process in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    for process in processes:
        process.signal(signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--procfile", type=Path, default=Path("Procfile.dev"))
    parser.add_argument("--ready-url", help="print the banner once this answers 200")
    parser.add_argument("--banner", type=Path, help="a file to print once the stack is ready")
    args = parser.parse_args()

    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())

    processes = read_procfile(args.procfile)
    for process in processes:
        process.start()
    if args.ready_url and args.banner:
        threading.Thread(
            target=print_banner_when_ready,
            args=(args.ready_url, args.banner, stopping),
            daemon=True,
        ).start()
    while not stopping.wait(0.2):
        now = time.monotonic()
        for process in processes:
            process.check(now)
    say("stopping " + ", ".join(process.name for process in processes))
    stop_all(processes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
