"""The GIF/MP4 export of the demo's spread."""

import shutil

import numpy as np
import pytest
from PIL import Image

from sim.core.config import ComplaintConfig, WomConfig
from sim.demo import export

TINY = ["--customers", "100", "--seed", "2", "--dpi", "40"]


def _frames(path):
    with Image.open(path) as gif:
        frames = []
        for i in range(gif.n_frames):
            gif.seek(i)
            frames.append(np.asarray(gif.convert("RGB")))
    return frames


def test_gif_has_one_frame_per_day_and_the_colours_change(tmp_path, capsys):
    out = tmp_path / "spread.gif"
    code = export.main([*TINY, "--compare", "none", "--days", "6", "--inject", "1", "--no-mp4", "--out", str(out)])
    assert code == 0
    frames = _frames(out)
    assert len(frames) == 7  # days 0..6
    assert len({f.shape for f in frames}) == 1  # a fixed frame size
    assert not np.array_equal(frames[0], frames[-1])
    assert f"wrote {out} (7 frames" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["spread.gif"]  # no temporary file left


def test_defaults_are_the_config_figures(tmp_path):
    args = export.parse_args(["--out", str(tmp_path / "s.gif")])
    assert args.complaint_share == ComplaintConfig().base_share and args.tells == WomConfig().negative_mean
    assert args.scenario == "jetblue_storm"


def test_start_and_every_pick_the_frames(tmp_path):
    out = tmp_path / "s.gif"
    assert export.main([*TINY, "--start", "3", "--days", "10", "--every", "4", "--no-mp4", "--out", str(out)]) == 0
    assert len(_frames(out)) == 3  # days 3, 7 and the last, 10


def test_same_seed_same_gif(tmp_path):
    a, b = tmp_path / "a.gif", tmp_path / "b.gif"
    for out in (a, b):
        assert export.main([*TINY, "--days", "4", "--no-mp4", "--out", str(out)]) == 0
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--policy", "nope"], "error: policy = 'nope': must be one of"),
        (["--scenario", "nope"], "error: scenario = 'nope': must be one of"),
        (["--seed", "x"], "error: seed = 'x': must be a whole number"),
        (["--start", "9", "--days", "4"], "error: --start = 9, --days = 4"),
        (["--inject", "50", "--days", "4"], "error: --inject = 50: must be a day from 0 to --days (4)"),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, capsys, args, message):
    out = tmp_path / "spread.gif"
    assert export.main([*TINY, *args, "--no-mp4", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_bad_output_name_is_refused(tmp_path, capsys):
    assert export.main([*TINY, "--out", str(tmp_path / "spread.png")]) == 2
    assert capsys.readouterr().err.endswith("must end with .gif or .mp4\n")
    assert export.main([*TINY, "--out", str(tmp_path / "no" / "spread.gif")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg is not installed (apt-get install ffmpeg)")
def test_mp4_beside_the_gif_when_ffmpeg_is_present(tmp_path):
    out = tmp_path / "spread.gif"
    assert export.main([*TINY, "--days", "3", "--out", str(out)]) == 0
    mp4 = out.with_suffix(".mp4")
    assert mp4.stat().st_size > 1000 and mp4.read_bytes()[4:8] == b"ftyp"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spread.gif", "spread.mp4"]


def test_without_ffmpeg_gif_only_and_mp4_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(export, "ffmpeg_available", lambda: False)
    assert export.main([*TINY, "--days", "2", "--out", str(tmp_path / "spread.mp4")]) == 2
    assert "MP4 needs ffmpeg" in capsys.readouterr().err and list(tmp_path.iterdir()) == []
    assert export.main([*TINY, "--days", "2", "--out", str(tmp_path / "spread.gif")]) == 0
    assert "no MP4: ffmpeg was not found" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["spread.gif"]
