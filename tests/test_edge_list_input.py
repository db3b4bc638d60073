"""Edge lists and wrongly typed values: a one-line error, or a one-line warning with the counts."""

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from sim import WomModel
from sim.core.config import ConfigError, NetworkConfig
from sim.core.network import read_edgelist
from sim.core.warnings import SimWarning

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["customers=300", "days=5", "progress=false"]


def sim(*args):
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def edges(tmp_path, text):
    path = tmp_path / "edges.txt"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_utf8_bom_is_read_as_the_file_without_it(tmp_path):
    text = "# exported from a spreadsheet\n0 1\n1 2\n2 0\n"
    plain = read_edgelist(edges(tmp_path, text), 3)
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("# exported from a spreadsheet\n", "").encode())
    with_bom = read_edgelist(str(path), 3)  # the BOM sits right before the first id
    assert [a.tolist() for a in with_bom] == [a.tolist() for a in plain] == [[0, 1, 2], [1, 2, 0]]


def test_only_self_loops_warns_with_the_counts(tmp_path):
    path = edges(tmp_path, "0 0\n1 1\n2 2\n")
    with pytest.warns(SimWarning, match=r"3 of 3 edges are self-loops .* 300 of 300 people in the market"):
        read_edgelist(path, 300)


def test_far_fewer_nodes_than_customers_warns_and_a_full_graph_does_not(tmp_path):
    with pytest.warns(SimWarning, match=r"4,796 of 4,800 people in the market have no friend in it"):
        WomModel(customers=1200, network=NetworkConfig(kind="edgelist", path=edges(tmp_path, "0 1\n1 2\n3 2\n")))
    ring = "".join(f"{i} {(i + 1) % 300}\n" for i in range(300))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        u, v = read_edgelist(edges(tmp_path, ring), 300)
    assert np.array_equal(np.sort(u), np.arange(300))


@pytest.mark.parametrize("node", ["²", "٣", "1.5", "-1", "0x1"])
def test_a_node_id_that_is_not_ascii_digits_is_a_one_line_error(tmp_path, node):
    with pytest.raises(ConfigError, match=r"line 2 .* must start with two non-negative integer node ids"):
        read_edgelist(edges(tmp_path, f"0 1\n1 {node}\n"), 300)


def test_a_path_without_network_edgelist_is_not_silently_ignored(tmp_path):
    path = edges(tmp_path, "0 1\n")
    with pytest.raises(ConfigError, match="only read with network=edgelist"):
        WomModel(customers=10, network=NetworkConfig(path=path))


@pytest.mark.parametrize(
    ("args", "stream", "message"),
    [
        (["network=edgelist", "network.path={loops}"], "stderr",
         "warning: network.path = '{loops}': 2 of 2 edges are self-loops and were dropped; "
         "1,200 of 1,200 people in the market have no friend in it and hear no word of mouth"),
        (["network.path={loops}"], "error",
         "error: network.path = '{loops}': only read with network=edgelist (add network=edgelist, "
         "or drop network.path to use stochastic_block)"),
        (["network=edgelist", "network.path={square}"], "error",
         "error: network.path = '{square}': line 1 ('0 ²') must start with two non-negative integer node ids"),
        (["customers=[1,2]"], "error", "error: customers = [1,2]: must be an integer, not a list"),
        (["days=null"], "error", "error: days = null: must be an integer"),
        (["wom.online_audience=[3]"], "error", "error: wom.online_audience = [3]: must be a number, not a list"),
    ],
)
def test_the_command_line_says_it_in_one_line(tmp_path, args, stream, message):
    names = {"loops": edges(tmp_path, "0 0\n5 5\n"), "square": str(tmp_path / "sq.txt")}
    Path(names["square"]).write_text("0 ²\n", encoding="utf-8")
    res = sim(*SMALL, *[a.format(**names) for a in args], f"hydra.run.dir={tmp_path / 'run'}")
    lines = res.stderr.strip().splitlines()
    assert lines == [message.format(**names)], res.stderr
    if stream == "error":
        assert res.returncode == 2 and not (tmp_path / "run").exists()
    else:
        assert res.returncode == 0 and (tmp_path / "run" / "summary.json").is_file()
