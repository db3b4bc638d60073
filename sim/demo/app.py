"""The classroom demo: a service failure spreading by word of mouth, live in the browser.

Start it with ``solara run sim/demo/app.py --production`` and open http://localhost:8765. Mesa's SolaraViz gives
the controls (play, pause, step, reset) and the settings in the sidebar; settings take effect
on Reset, as in every Mesa app. The page draws with matplotlib only, so with the pinned
``solara-assets`` it needs no internet. See docs/demo.md for a lesson plan.
"""

from __future__ import annotations

import html
import io

import reacton.ipywidgets as rw
import solara
from matplotlib.figure import Figure
from mesa.visualization import Slider, SolaraViz
from mesa.visualization.utils import force_update, update_counter

from sim.core.config import ConfigError
from sim.core.policies import policy_names
from sim.core.presets import preset_names
from sim.core.states import Mood
from sim.demo.classroom import NO_COMPARISON, POLICY_OWN_COMPENSATION, POLICY_OWN_DELAY, Classroom, defaults
from sim.demo.viz import LOOKS, draw_charts, network_figure, policy_caption

try:  # the server sends usage statistics unless told not to; a classroom page should not
    from solara.server import settings as _server_settings

    _server_settings.telemetry.mixpanel_enable = False
except ImportError:  # pragma: no cover - solara without its server
    pass

TITLE = "Word of mouth after a service failure"
FIGURE_DPI = 100
START = defaults()  # the controls start where Classroom's keywords do (literature figures from the config)

MODEL_PARAMS = {
    "policy": {"type": "Select", "value": START["policy"], "values": policy_names(), "label": "Policy (left)"},
    "compare_with": {
        "type": "Select",
        "value": START["compare_with"],
        "values": [NO_COMPARISON, *policy_names()],
        "label": "Compare with (right, same seed)",
    },
    "storm": {"type": "Select", "value": START["storm"], "values": preset_names("scenario"), "label": "Scenario"},
    "network": {
        "type": "Select",
        "value": START["network"],
        "values": [name for name in preset_names("network") if name != "edgelist"],
        "label": "Friendship network",
    },
    "complaint_share": Slider("Complaint share", value=START["complaint_share"], min=0.0, max=1.0, step=0.025),
    # whole people on the slider: the config's mean, rounded
    "tells": Slider("Tells per unhappy", value=round(START["tells"]), min=0, max=40, step=1, dtype=int),
    "delay_days": Slider("Recovery delay (d)", value=START["delay_days"], min=POLICY_OWN_DELAY, max=30, step=1),
    "compensation": Slider(
        "Compensation (× loss)",
        value=START["compensation"],
        min=POLICY_OWN_COMPENSATION,
        max=3.0,
        step=0.25,
    ),
    "customers": Slider("Customers", value=START["customers"], min=100, max=600, step=50),
    "seed": {"type": "InputText", "value": str(START["seed"]), "label": "Seed"},
}


def default_params() -> dict:
    """The keyword arguments the sliders and selectors start from."""
    return {name: (p.value if isinstance(p, Slider) else p["value"]) for name, p in MODEL_PARAMS.items()}


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight", pad_inches=0.05)
    return buffer.getvalue()


def network_png(model: Classroom) -> bytes:
    fig = Figure(figsize=(8.5, 4.9))
    network_figure(fig, model.runs, focus=model.focus, day=model.day)
    return _png(fig)


def charts_png(model: Classroom) -> bytes:
    fig = Figure(figsize=(5.0, 6.0))
    axes = fig.subplots(4, 1, sharex=True)
    draw_charts(list(axes), model.runs)
    fig.subplots_adjust(left=0.14, right=0.97, top=0.96, bottom=0.07, hspace=0.35)
    return _png(fig)


@solara.component
def NetworkView(model: Classroom):
    """The customers, one panel per policy, on positions fixed for the whole run."""
    update_counter.get()
    png = solara.use_memo(lambda: network_png(model), dependencies=[model, model.steps, len(model.hits)])
    return rw.Image(value=png, format="png", layout={"width": "100%", "height": "auto"})


@solara.component
def Charts(model: Classroom):
    """Customers, unhappy customers, complaints and revenue of each run, day by day."""
    update_counter.get()
    png = solara.use_memo(lambda: charts_png(model), dependencies=[model, model.steps, len(model.hits)])
    return rw.Image(value=png, format="png", layout={"width": "100%", "height": "auto"})


@solara.component
def InjectPanel(model: Classroom):
    """Hit one chosen customer, or the one with the most friends, and watch that story spread."""
    update_counter.get()
    customer = solara.use_reactive(0)
    severity = solara.use_reactive(0.8)
    message = solara.use_reactive("")
    error = solara.use_reactive("")

    def hit(index: int) -> None:
        try:
            gone = model.inject(index, severity.value)
        except ConfigError as err:
            error.set(str(err))
            message.set("")
            return
        friends = int(model.runs[0][1].degree[index])
        text = f"Day {model.day}: customer {index} ({friends} friends) met a failure of severity {severity.value:g}."
        if gone:
            text += " Already gone under: " + "; ".join(gone) + "."
        error.set("")
        message.set(text)
        force_update()

    def hit_busiest() -> None:
        try:
            index = model.busiest()
        except ConfigError as err:
            error.set(str(err))
            return
        customer.set(index)
        hit(index)

    with solara.Card("Inject a failure"):
        solara.Text("Hit one customer now, in both runs, and follow the ring.")
        solara.InputInt("Customer number", value=customer, continuous_update=True)
        solara.SliderFloat("Severity of the failure", value=severity, min=0.1, max=1.0, step=0.1)
        with solara.Row():
            solara.Button("Hit this one", color="error", on_click=lambda: hit(customer.value))
            solara.Button("Hit the busiest", color="error", outlined=True, on_click=hit_busiest)
        if error.value:
            solara.Error(error.value)
        elif message.value:
            solara.Info(message.value)


def legend_html() -> str:
    """The colours with what each one means, for the page beside the picture."""
    rows = []
    for code, look in enumerate(LOOKS):
        shape = "&#9733;" if code == Mood.TERRORIST else "&#9679;"
        rows.append(
            f'<li><span style="color:{look.colour};font-size:1.3em;-webkit-text-stroke:0.5px #555">{shape}</span>'
            f" <b>{look.label}</b>: {html.escape(look.meaning)}</li>"
        )
    return '<ul style="list-style:none;padding-left:0;margin:0">' + "".join(rows) + "</ul>"


def settings_html(model: Classroom) -> str:
    """The settings the runs on screen were built with (sliders act on Reset)."""
    s = model.settings
    policies = "; ".join(f"{label} ({policy_caption(run)})" for label, run in model.runs)
    return (
        f"<p><b>In use:</b> {html.escape(policies)}; scenario {html.escape(model.storm.name)}, "
        f"network {html.escape(s['network'])}, "
        f"{s['customers']} customers, seed {s['seed']}; {s['complaint_share']:.1%} of the unhappy complain; "
        f"an unhappy customer tells {s['tells']:g} people on average.</p>"
    )


def explanation_html(model: Classroom) -> str:
    """What the class is looking at, in plain words, for the current settings."""
    shock = model.storm.shock
    if shock.reach > 0:
        scene = (
            f"On day {shock.day} a storm hits: for {shock.days} days about {shock.reach:.0%} of the customers are "
            f"stranded each day, and every recovery comes {shock.extra_recovery_delay_days} days later than usual "
            "(jetBlue, February 2007)."
        )
    else:
        scene = "An ordinary stretch of days: now and then a purchase goes wrong."
    sides = (
        "Left and right are the <b>same customers with the same seed</b>; only the policy differs."
        if len(model.runs) > 1
        else "One policy is shown; pick one under <i>Compare with</i> to see two side by side."
    )
    return (
        "<h3 style='margin-top:0'>What you are looking at</h3>"
        "<p>Each dot is a person in a small town, each grey line a friendship; bigger dots have more friends. "
        "Coloured dots are the firm's customers, white dots the rest of the market: prospects who hear the "
        "stories too, and join when friends recommend the firm. "
        f"{scene} Most unhappy customers never complain, so the firm cannot recover them: they tell their "
        "friends instead, some of those friends leave, and some prospects are put off. The firm can only "
        f"win back those it hears about. {sides}</p>"
        + legend_html()
        + settings_html(model)
        + "<p><b>Try:</b> press &#9654; and watch the storm; raise the complaint share, or slow the recovery, "
        "then press <b>Reset</b> (settings take effect on Reset); hit the busiest customer and follow that one "
        "story. Recovery delay and compensation change the left policy only; at their far left they keep the "
        "policy's own values.</p>"
    )


@solara.component
def Explanation(model: Classroom):
    solara.HTML(tag="div", unsafe_innerHTML=explanation_html(model), style="font-size:0.95em")


@solara.component
def DayCounter(model: Classroom):
    """The model's day, in the model's own words.

    Mesa 3.5's sidebar shows the model clock as "Time: 3.0"; a class counts days.
    """
    update_counter.get()
    solara.Text(f"Day {model.day}", classes=["wom-day"], style={"font-size": "1.4em", "font-weight": "bold"})


@solara.component
def Stage(model: Classroom):
    """The main area: the day, network and charts on top, explanation and the inject panel below."""
    DayCounter(model)
    with solara.Columns([3, 2]):
        NetworkView(model)
        Charts(model)
    with solara.Columns([3, 2]):
        Explanation(model)
        InjectPanel(model)


@solara.component
def Demo(model: solara.Reactive[Classroom]):
    """Mesa's controls and settings (sidebar) around the stage; Reset puts a new model in ``model``."""
    SolaraViz(model, components=[], model_params=MODEL_PARAMS, name=TITLE, play_interval=150)
    Stage(model.value)


@solara.component
def Page():
    """The whole page; ``solara run sim/demo/app.py`` serves this, one model per browser tab."""
    first = solara.use_memo(lambda: Classroom(**default_params()), dependencies=[])
    Demo(solara.use_reactive(first))
