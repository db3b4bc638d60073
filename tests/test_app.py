"""The classroom demo without a browser: the wrapper model, the pictures, and the page rendered in-process."""

import numpy as np
import pytest

pytest.importorskip("solara", reason="the demo needs the viz extra: pip install -e '.[viz]'")

import ipyvuetify as v  # noqa: E402
import ipywidgets as widgets  # noqa: E402
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.core.config import ComplaintConfig, ConfigError, WomConfig  # noqa: E402
from sim.core.policies import load_policy  # noqa: E402
from sim.core.states import Membership, Mood  # noqa: E402
from sim.demo import app  # noqa: E402
from sim.demo.classroom import NO_COMPARISON, Classroom  # noqa: E402
from sim.demo.viz import CHURNED, LOOKS, display_codes, draw_network, fixed_layout  # noqa: E402

SMALL = {"customers": 120, "seed": 3}


# ---------------------------------------------------------------- the wrapper model
def test_both_runs_share_graph_and_start_but_not_policy():
    room = Classroom(policy="full", compare_with="none", **SMALL)
    (_, left), (_, right) = room.runs
    assert left.policy.name == "full" and right.policy.name == "none"
    np.testing.assert_array_equal(left.graph.indptr, right.graph.indptr)
    np.testing.assert_array_equal(left.graph.indices, right.graph.indices)
    np.testing.assert_array_equal(left.pop.loyalty, right.pop.loyalty)


def test_sliders_override_only_the_left_policy_and_far_left_keeps_the_preset():
    own = Classroom(policy="compensation", compare_with="compensation", **SMALL)
    preset = load_policy("compensation")
    for _, run in own.runs:
        assert (run.policy.delay_days, run.policy.compensation_ratio) == (preset.delay_days, preset.compensation_ratio)
    changed = Classroom(policy="compensation", compare_with="compensation", delay_days=9, compensation=0.5, **SMALL)
    (label, left), (_, right) = changed.runs
    assert (left.policy.delay_days, left.policy.compensation_ratio) == (9, 0.5)
    assert (right.policy.delay_days, right.policy.compensation_ratio) == (preset.delay_days, preset.compensation_ratio)
    assert "9-day delay" in label and "0.5× loss" in label


def test_environment_sliders_reach_both_runs():
    room = Classroom(complaint_share=0.4, tells=20, storm="baseline", network="watts_strogatz", **SMALL)
    for _, run in room.runs:
        assert run.cfg.complaint.base_share == 0.4
        assert run.cfg.wom.negative_mean == 20
        assert run.cfg.scenario.name == "baseline" and run.cfg.network.kind == "watts_strogatz"


def test_controls_start_from_the_config_defaults():
    params = app.default_params()
    assert params["complaint_share"] == ComplaintConfig().base_share
    assert params["tells"] == round(WomConfig().negative_mean)
    (_, run), _ = Classroom(**SMALL).runs
    assert run.cfg.complaint.base_share == ComplaintConfig().base_share
    assert run.cfg.wom.negative_mean == WomConfig().negative_mean


def test_same_settings_same_seed_same_days():
    a, b = Classroom(**SMALL), Classroom(**SMALL)
    for _ in range(15):
        a.step()
        b.step()
    for (_, ra), (_, rb) in zip(a.runs, b.runs, strict=True):
        assert ra.timeseries().equals(rb.timeseries())


def test_no_comparison_gives_one_run_and_step_moves_every_run():
    room = Classroom(compare_with=NO_COMPARISON, **SMALL)
    assert len(room.runs) == 1
    pair = Classroom(**SMALL)
    for _ in range(4):
        pair.step()
    assert pair.steps == 4 and [run.day for _, run in pair.runs] == [4, 4]


def test_bad_input_fails_with_one_line_naming_the_field():
    with pytest.raises(ConfigError, match=r"^seed = 'x': must be a whole number"):
        Classroom(seed="x")
    with pytest.raises(ConfigError, match=r"^policy = 'nope': must be one of .*full"):
        Classroom(policy="nope", **SMALL)
    with pytest.raises(ConfigError, match=r"^scenario = 'nope': must be one of .*jetblue_storm"):
        Classroom(storm="nope", **SMALL)
    room = Classroom(**SMALL)
    assert room.runs[0][1].pop.n == 240  # 120 customers holding half of a small town
    with pytest.raises(ConfigError, match=r"^customer = 240: must be a number from 0 to 239"):
        room.inject(240)


def test_busiest_is_the_active_customer_with_most_friends():
    room = Classroom(**SMALL)
    run = room.runs[0][1]
    degree = np.where(run.pop.member == Membership.ACTIVE, run.degree, -1)  # prospects are not hit
    assert room.busiest() == int(np.argmax(degree))
    top = room.busiest()
    for _, run in room.runs:
        run.pop.member[top] = Membership.CHURNED
    second = room.busiest()
    assert second != top and degree[second] == np.sort(degree)[-2]


def test_inject_hits_the_customer_in_both_runs_and_marks_the_focus():
    room = Classroom(**SMALL)
    room.step()
    target = room.busiest()
    gone = room.inject(target, severity=0.9)
    assert gone == [] and room.focus == target and room.hits == [(1, target)]
    for _, run in room.runs:
        assert run.pop.mood[target] in (Mood.UNHAPPY, Mood.WAITING)
        assert run.pop.failures[target] == 1
        # the story starts (its length may be drawn as zero): a first-hand telling episode is open
        assert run.pop.firsthand[target] or run.pop.waiting[target]


def test_inject_skips_a_run_where_the_customer_has_left():
    room = Classroom(**SMALL)
    who = int(np.flatnonzero(room.runs[0][1].pop.member == Membership.ACTIVE)[0])
    room.runs[1][1].pop.member[who] = Membership.CHURNED
    gone = room.inject(who)
    assert gone == [room.runs[1][0]]
    assert room.runs[0][1].pop.failures[who] == 1 and room.runs[1][1].pop.failures[who] == 0


# ---------------------------------------------------------------- the pictures
def test_colour_codes_follow_mood_and_membership():
    assert [look.label for look in LOOKS[: len(Mood)]] == [mood.name.lower() for mood in Mood]
    room = Classroom(**SMALL)
    run = room.runs[0][1]
    three = np.flatnonzero(run.pop.member == Membership.ACTIVE)[:3]
    run.pop.mood[three] = [Mood.UNHAPPY, Mood.RECOVERED, Mood.UNHAPPY]
    run.pop.member[three[2]] = Membership.CHURNED
    codes = display_codes(run)
    assert [LOOKS[c].label for c in codes[three]] == ["unhappy", "recovered", "churned"]
    assert codes[three[2]] == CHURNED and LOOKS[CHURNED].colour == "#bdbdbd"
    assert LOOKS[Mood.UNHAPPY].colour == "#e31a1c" and LOOKS[Mood.RECOVERED].colour == "#33a02c"


def _node_offsets(run, pos):
    fig = Figure()
    ax = fig.subplots()
    draw_network(ax, run, pos)
    return np.concatenate([c.get_offsets() for c in ax.collections[1:]]), ax.collections[1].get_facecolors()


def test_layout_is_fixed_while_states_change_and_across_resets():
    room = Classroom(**SMALL)
    run = room.runs[0][1]
    pos = fixed_layout(run.graph)
    before, colours_before = _node_offsets(run, pos)
    room.inject(room.busiest())
    for _ in range(10):
        room.step()
    after, colours_after = _node_offsets(run, fixed_layout(run.graph))
    assert np.array_equal(np.sort(before, axis=0), np.sort(after, axis=0))  # same places
    assert not np.array_equal(colours_before, colours_after)  # new colours
    again = Classroom(**SMALL)  # what Reset builds with the same settings
    np.testing.assert_array_equal(fixed_layout(again.runs[0][1].graph), pos)
    np.testing.assert_array_equal(fixed_layout(room.runs[1][1].graph), pos)  # the right panel too


def test_terrorists_are_drawn_as_stars():
    room = Classroom(**SMALL)
    run = room.runs[0][1]
    run.pop.terrorist[[3, 4]] = True
    run.pop.mood[[3, 4]] = Mood.TERRORIST
    fig = Figure()
    ax = fig.subplots()
    draw_network(ax, run, fixed_layout(run.graph), focus=7)
    dots, stars, ring = ax.collections[1:]
    assert len(dots.get_offsets()) == run.pop.n - 2 and len(stars.get_offsets()) == 2  # customers and prospects
    assert len(ring.get_offsets()) == 1


# ---------------------------------------------------------------- the page, rendered in-process
def _pngs(rc):
    return [w.widget.value for w in rc.find(widgets.Image)]


def _page_text(rc):
    return rc.find(solara.widgets.HTML, tag="div").widget.unsafe_innerHTML


@pytest.fixture()
def page():
    model = solara.reactive(Classroom(**app.default_params() | SMALL))
    # AppLayout is what `solara run` wraps a page in; without it the sidebar (buttons, sliders) is not rendered
    _, rc = solara.render(solara.AppLayout(children=[app.Demo(model)]), handle_error=False)
    yield model, rc
    rc.close()


def test_page_shows_network_charts_legend_and_text(page):
    model, rc = page
    images = _pngs(rc)
    assert len(images) == 2 and all(png[:4] == b"\x89PNG" for png in images)  # network + charts
    for label in ("Reset", "Step", "▶", "Hit this one", "Hit the busiest"):
        rc.find(v.Btn, children=[label]).assert_single()
    text = _page_text(rc)
    assert "What you are looking at" in text and "jetBlue" in text
    for look in LOOKS[: CHURNED + 1]:
        assert f"<b>{look.label}</b>" in text
    for label in ("Complaint share", "Tells per unhappy", "Recovery delay (d)", "Compensation (× loss)"):
        rc.find(v.Slider, label=label).assert_single()
    for label in ("Policy (left)", "Compare with (right, same seed)", "Scenario"):
        rc.find(v.Select, label=label).assert_single()


def test_step_redraws_network_and_charts(page):
    model, rc = page
    first = _pngs(rc)
    step = rc.find(v.Btn, children=["Step"])
    for _ in range(3):
        step.widget.click()
    assert model.value.steps == 3 and [run.day for _, run in model.value.runs] == [3, 3]
    rc.find(children=["Day 3"]).wait_for(timeout=5)  # ours; Mesa 3.5's sidebar says "Time: 3.0"
    after = _pngs(rc)
    assert after[0] != first[0] and after[1] != first[1]


def test_settings_apply_on_reset(page):
    model, rc = page
    old = model.value
    rc.find(v.Select, label="Policy (left)").widget.v_model = "apology"
    rc.find(v.Select, label="Compare with (right, same seed)").widget.v_model = "proactive"
    rc.find(v.Slider, label="Complaint share").widget.v_model = 0.5
    rc.find(v.Slider, label="Recovery delay (d)").widget.v_model = 7
    assert model.value is old  # Mesa applies settings on Reset
    rc.find(v.Btn, children=["Reset"]).widget.click()
    new = model.value
    assert new is not old and new.steps == 0
    (_, left), (_, right) = new.runs
    assert left.policy.name == "apology" and left.policy.delay_days == 7 and right.policy.name == "proactive"
    assert left.cfg.complaint.base_share == 0.5 and right.cfg.complaint.base_share == 0.5
    assert "left: apology, 7-day delay" in _page_text(rc) and "50.0% of the unhappy complain" in _page_text(rc)


def test_inject_button_hits_the_busiest_and_redraws_at_once(page):
    model, rc = page
    before = _pngs(rc)[0]
    rc.find(v.Btn, children=["Hit the busiest"]).widget.click()
    room = model.value
    target = room.busiest()
    assert room.focus == target and room.steps == 0
    assert all(run.pop.failures[target] == 1 for _, run in room.runs)
    rc.find(v.Alert).assert_single()
    assert f"customer {target} " in rc.find(v.Alert).widget.children[0]
    assert _pngs(rc)[0] != before


def test_inject_button_reports_a_bad_customer_number(page):
    model, rc = page
    rc.find(v.TextField, label="Customer number").widget.v_model = "500"
    rc.find(v.Btn, children=["Hit this one"]).widget.click()
    assert model.value.hits == []
    assert "must be a number from 0 to 239" in rc.find(v.Alert).widget.children[0]


# ---------------------------------------------------------------- ties by strength, town by community
def _with_structure(run, strength, community):
    import dataclasses

    run.graph = dataclasses.replace(run.graph, strength=strength, community=community)
    return run


def test_ties_drawn_by_strength_when_the_graph_has_it_and_alike_without():
    from sim.core.network import community_blocks, strength_from_communities
    from sim.demo.viz import edge_segments, edge_styles

    room = Classroom(**SMALL)
    run = room.runs[0][1]
    community = community_blocks(run.graph.n, 15)
    plain = _with_structure(run, None, None)
    fig = Figure()
    ax = fig.subplots()
    draw_network(ax, plain, fixed_layout(plain.graph))
    assert len({tuple(c) for c in ax.collections[0].get_colors()}) == 1  # every tie alike
    strength = strength_from_communities(run.graph, community, strong=1.0, weak=0.25)
    rich = _with_structure(run, strength, community)
    styles = edge_styles(rich.graph)
    assert len(styles["linestyles"]) == len(edge_segments(rich.graph, fixed_layout(rich.graph)))
    fig = Figure()
    ax = fig.subplots()
    draw_network(ax, rich, fixed_layout(rich.graph))
    widths = np.asarray(ax.collections[0].get_linewidths())
    assert widths.max() > 2 * widths.min()  # strong thicker than weak
    dots, stars = ax.collections[1:]  # still one collection of ties
    assert len(dots.get_offsets()) == run.pop.n


def test_town_laid_out_by_community_keeps_friends_close():
    from sim.core.network import community_blocks

    room = Classroom(**SMALL)
    run = _with_structure(room.runs[0][1], None, community_blocks(room.runs[0][1].graph.n, 15))
    pos = fixed_layout(run.graph)
    np.testing.assert_array_equal(fixed_layout(run.graph), pos)  # cached, fixed
    g = run.graph
    src = g.sources()
    inside = g.community[src] == g.community[g.indices]
    length = np.linalg.norm(pos[src] - pos[g.indices], axis=1)
    assert np.median(length[inside]) < 0.25 * np.median(length[~inside])
