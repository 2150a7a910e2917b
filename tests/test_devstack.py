"""scripts/devstack.py, the process supervisor of `make run`: a process that dies is started
again while the others keep serving; the banner follows once the web answers; Ctrl-C stops all."""

import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Output:
    """The supervisor's output, collected line by line as it comes."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)


def test_a_dead_process_restarts_while_the_others_serve_then_ctrl_c_stops_all(tmp_path) -> None:
    port = _free_port()
    (tmp_path / "healthz").write_text("ok")
    (tmp_path / "banner.txt").write_text("Sign in with admin@demo.longcode.test\n")
    python = sys.executable
    (tmp_path / "Procfile").write_text(
        f"web: {python} -m http.server {port} --bind 127.0.0.1 --directory {tmp_path}\n"
        f"""worker: {python} -c "print('worker is up'); raise SystemExit(3)"\n"""
    )
    supervisor = subprocess.Popen(
        [
            python,
            "scripts/devstack.py",
            "--procfile",
            str(tmp_path / "Procfile"),
            "--ready-url",
            f"http://127.0.0.1:{port}/healthz",
            "--banner",
            str(tmp_path / "banner.txt"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    output = Output(supervisor.stdout)
    try:
        wait_for(lambda: output.count("worker | worker is up") >= 3, what="two restarts")
        wait_for(lambda: output.count("Sign in with admin@demo") == 1, what="the banner")

        assert output.count("worker | exited with code 3; starting it again in 1 s") == 1
        assert output.count("worker | exited with code 3; starting it again in 2 s") == 1
        # The web kept serving all along: started once, never stopped.
        assert output.count("web    | started") == 1
        assert output.count("web    | exited") == 0
        [web_pid] = [
            int(m[1])
            for line in output.lines
            if (m := re.search(r"web +\| started \(pid (\d+)", line))
        ]
    finally:
        supervisor.send_signal(signal.SIGINT)
        code = supervisor.wait(timeout=20)

    assert code == 0
    assert output.count("stopping web, worker") == 1
    # The web process is gone too.
    assert subprocess.run(["kill", "-0", str(web_pid)], capture_output=True).returncode != 0
