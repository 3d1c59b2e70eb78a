"""Progress of a sweep on stderr: a tqdm bar (runs done, ETA, failures) on a terminal, a plain line every tenth of
the work when stderr is a file or pipe, nothing with ``quiet``."""
from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, already: int = 0, quiet: bool = False, stream=None, every: int | None = None):
        self.total = total          # runs to do in this call (already-stored runs excluded)
        self.already = already
        self.done = 0
        self.failed = 0
        self.stream = stream if stream is not None else sys.stderr
        self.start = time.monotonic()
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.mode = "quiet" if quiet or total == 0 else ("bar" if tty else "lines")
        self.every = every or max(1, total // 10)
        self.bar = None
        if self.mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="run", file=self.stream, dynamic_ncols=True,
                            desc="sweep", postfix={"failed": 0})

    def update(self, ok: bool) -> None:
        self.done += 1
        self.failed += 0 if ok else 1
        if self.bar is not None:
            if not ok:
                self.bar.set_postfix(failed=self.failed, refresh=False)
            self.bar.update(1)
        elif self.mode == "lines" and (self.done % self.every == 0 or self.done == self.total):
            elapsed = time.monotonic() - self.start
            eta = elapsed / self.done * (self.total - self.done)
            print(f"sweep: {self.done}/{self.total} runs done, {self.failed} failed, "
                  f"elapsed {_clock(elapsed)}, eta {_clock(eta)}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
