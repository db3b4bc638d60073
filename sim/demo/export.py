"""Write the demo's spread as an animated GIF (and MP4 where ffmpeg is present) for slides.

    python -m sim.demo.export --policy full --compare none --scenario jetblue_storm --seed 1 --out spread.gif

One frame a day, drawn exactly as the browser demo draws it (``sim/demo/viz.py``) from the same
``Classroom`` model, so a given seed, policy and scenario give the same picture in both.
Files appear whole or not at all: frames go to a temporary file that is renamed at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from matplotlib.animation import FFMpegWriter, PillowWriter, writers
from matplotlib.figure import Figure

from sim.core.config import ConfigError
from sim.demo.classroom import NO_COMPARISON, Classroom, defaults
from sim.demo.viz import network_figure

FORMATS = (".gif", ".mp4")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The options; the model's defaults are ``Classroom``'s, so the GIF starts where the page does."""
    start = defaults()
    parser = argparse.ArgumentParser(prog="python -m sim.demo.export", description=__doc__.splitlines()[0])
    parser.add_argument("--policy", default=start["policy"], help="policy preset (conf/policy), default %(default)s")
    parser.add_argument("--compare", default=NO_COMPARISON, help="a second policy on the same seed, side by side")
    parser.add_argument(
        "--scenario", default=start["storm"], help="scenario preset (conf/scenario), default %(default)s"
    )
    parser.add_argument(
        "--network", default=start["network"], help="network preset (conf/network), default %(default)s"
    )
    parser.add_argument("--customers", type=int, default=start["customers"])
    parser.add_argument("--seed", default=str(start["seed"]))
    parser.add_argument(
        "--complaint-share", type=float, default=start["complaint_share"], help="default %(default)s (TARP, the config)"
    )
    parser.add_argument(
        "--tells", type=float, default=start["tells"], help="mean people an unhappy customer tells, default %(default)s"
    )
    parser.add_argument("--delay-days", type=int, default=start["delay_days"], help="-1 keeps the policy's own")
    parser.add_argument("--compensation", type=float, default=start["compensation"], help="< 0 keeps the policy's")
    parser.add_argument("--days", type=int, default=80, help="last day shown (default 80: the storm is on day 60)")
    parser.add_argument("--start", type=int, default=0, help="first day shown (the model still runs from day 0)")
    parser.add_argument("--every", type=int, default=1, help="one frame every N days")
    parser.add_argument("--fps", type=float, default=6.0)
    parser.add_argument("--inject", type=int, default=None, metavar="DAY", help="hit the busiest customer on DAY")
    parser.add_argument("--severity", type=float, default=0.8, help="severity of the injected failure")
    parser.add_argument("--dpi", type=int, default=100)
    parser.add_argument(
        "--mp4",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also write OUT with .mp4 (default: when ffmpeg is present)",
    )
    parser.add_argument("--out", type=Path, required=True, help="the .gif (or .mp4) to write")
    return parser.parse_args(argv)


def check(args: argparse.Namespace) -> None:
    """One-line errors naming the option, before any work is done."""
    if args.out.suffix.lower() not in FORMATS:
        raise ConfigError(f"--out = {str(args.out)!r}: must end with {' or '.join(FORMATS)}")
    if not args.out.parent.is_dir():
        raise ConfigError(f"--out = {str(args.out)!r}: folder {str(args.out.parent)!r} does not exist")
    if args.days < 0 or not 0 <= args.start <= args.days:
        raise ConfigError(f"--start = {args.start}, --days = {args.days}: need 0 <= start <= days")
    if args.every < 1:
        raise ConfigError(f"--every = {args.every}: must be >= 1")
    if args.fps <= 0 or args.dpi < 10:
        raise ConfigError(f"--fps = {args.fps}, --dpi = {args.dpi}: need fps > 0 and dpi >= 10")
    if args.inject is not None and not 0 <= args.inject <= args.days:
        raise ConfigError(f"--inject = {args.inject}: must be a day from 0 to --days ({args.days})")
    wants_mp4 = args.out.suffix.lower() == ".mp4" or args.mp4
    if wants_mp4 and not ffmpeg_available():
        raise ConfigError("--out/--mp4: MP4 needs ffmpeg, not found (apt-get install ffmpeg); or write a .gif")


def ffmpeg_available() -> bool:
    return writers.is_available("ffmpeg")


def frame_days(args: argparse.Namespace) -> list[int]:
    days = list(range(args.start, args.days + 1, args.every))
    return days if days[-1] == args.days else [*days, args.days]


def build(args: argparse.Namespace) -> Classroom:
    return Classroom(
        policy=args.policy,
        compare_with=args.compare,
        storm=args.scenario,
        network=args.network,
        customers=args.customers,
        complaint_share=args.complaint_share,
        tells=args.tells,
        delay_days=args.delay_days,
        compensation=args.compensation,
        seed=args.seed,
    )


def render(room: Classroom, args: argparse.Namespace, targets: list[Path]) -> int:
    """Run ``room`` and write every target at once, frame by frame; returns the number of frames."""
    fig = Figure(figsize=(8.5 if len(room.runs) > 1 else 5.0, 4.9))
    shown = set(frame_days(args))
    temps = [_temp_beside(t) for t in targets]
    try:
        with ExitStack() as stack:
            grabbers = []
            for target, tmp in zip(targets, temps, strict=True):
                writer = PillowWriter(fps=args.fps) if target.suffix.lower() == ".gif" else FFMpegWriter(fps=args.fps)
                stack.enter_context(writer.saving(fig, str(tmp), args.dpi))
                grabbers.append(writer)
            for day in range(args.days + 1):
                if day > 0:
                    room.step()
                if day == args.inject:
                    room.inject(room.busiest(), args.severity)
                if day in shown:
                    fig.clear()
                    network_figure(fig, room.runs, focus=room.focus, day=room.day)
                    for writer in grabbers:
                        writer.grab_frame()
        for tmp, target in zip(temps, targets, strict=True):
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
    return len(shown)


def _temp_beside(target: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=target.suffix)
    os.close(fd)
    return Path(name)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        check(args)
        targets = [args.out]
        if args.out.suffix.lower() == ".gif" and (args.mp4 or (args.mp4 is None and ffmpeg_available())):
            targets.append(args.out.with_suffix(".mp4"))
        room = build(args)
        frames = render(room, args, targets)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        return 2
    for target in targets:
        print(f"wrote {target} ({frames} frames, {target.stat().st_size / 1e6:.1f} MB)")
    if len(targets) == 1 and args.out.suffix.lower() == ".gif" and args.mp4 is None:
        print("no MP4: ffmpeg was not found (apt-get install ffmpeg)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
